import { TextField } from '../../../components/ui/field'

/** min_disk (GB) and min_ram (MB): Nova refuses to boot the image on a smaller flavor. */
export function MinimumsFields({
  minDisk,
  minRam,
  errors,
  disabled,
  onChange,
  testIdPrefix = 'image',
}: {
  minDisk: string
  minRam: string
  errors: { minDisk?: string; minRam?: string }
  disabled?: boolean
  onChange: (key: 'minDisk' | 'minRam', value: string) => void
  testIdPrefix?: string
}) {
  return (
    <div className="field-row">
      <TextField
        label="Minimum disk (GB)"
        inputMode="numeric"
        value={minDisk}
        onChange={(e) => onChange('minDisk', e.target.value)}
        error={errors.minDisk}
        hint="Smallest flavor disk that can boot it; 0 for no minimum."
        disabled={disabled}
        data-testid={`${testIdPrefix}-min-disk`}
      />
      <TextField
        label="Minimum RAM (MB)"
        inputMode="numeric"
        value={minRam}
        onChange={(e) => onChange('minRam', e.target.value)}
        error={errors.minRam}
        hint="Smallest flavor memory; 0 for no minimum."
        disabled={disabled}
        data-testid={`${testIdPrefix}-min-ram`}
      />
    </div>
  )
}
