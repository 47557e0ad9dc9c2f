import type { ReactNode } from 'react'

export interface Column<T> {
  key: string
  header: ReactNode
  render: (row: T) => ReactNode
  /** Extra class on the header and cells (widths, alignment). */
  className?: string
}

export interface DataTableProps<T> {
  columns: Column<T>[]
  rows: readonly T[]
  rowKey: (row: T) => string
  /** Accessible name of the table. */
  label: string
  rowTestId?: string
  rowProps?: (row: T) => Record<string, string | undefined>
}

/** A plain, readable table. Loading, empty and error states are the page's job (they say more). */
export function DataTable<T>({ columns, rows, rowKey, label, rowTestId, rowProps }: DataTableProps<T>) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.className}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} data-testid={rowTestId} {...rowProps?.(row)}>
              {columns.map((c) => (
                <td key={c.key} className={c.className}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** An ID in monospace, shortened on screen but complete for copy and screen readers. */
export function IdText({ id }: { id: string }) {
  return (
    <code className="id-text" title={id}>
      {id.length > 12 ? `${id.slice(0, 8)}…` : id}
    </code>
  )
}
