import { useLayoutEffect, useMemo, useRef, useState } from 'react'
import { layoutTopology, type LaidInstance, type LaidLink, type LaidNetwork, type LaidRouter } from '../utils/topology-layout'
import type { TopologyModel } from '../utils/topology-model'

/** The picture shrinks to the panel's width, but never below this scale: beyond, it scrolls sideways. */
const MIN_SCALE = 0.8

const href = (path: string) => `#${path}`
const enc = encodeURIComponent

/**
 * The topology as SVG: every position is an attribute (the CSP allows no inline style), colours come from the
 * stylesheet by class. Each element is a link to its panel. The picture scales down to the panel's width, to 80 %
 * at most (smaller, its labels would be unreadable), and scrolls sideways beyond.
 */
export function TopologyDiagram({ model }: { model: TopologyModel }) {
  const layout = useMemo(() => layoutTopology(model), [model])
  const { width, height } = layout
  const box = useRef<HTMLDivElement>(null)
  const [available, setAvailable] = useState<number>()
  useLayoutEffect(() => {
    const el = box.current
    if (!el) return
    setAvailable(el.clientWidth)
    const observer = new ResizeObserver(() => setAvailable(el.clientWidth))
    observer.observe(el)
    return () => observer.disconnect()
  }, [])
  const scale = available ? Math.min(1, Math.max(available / width, MIN_SCALE)) : 1
  return (
    <div className="topo-scroll" ref={box}>
      <svg
        className="topo-svg"
        width={Math.round(width * scale)}
        height={Math.round(height * scale)}
        viewBox={`0 0 ${width} ${height}`}
        role="group"
        aria-label="Network topology"
        data-testid="topology-svg"
      >
        <g className="topo-links">
          {layout.links.map((l) => (
            <Link key={l.key} link={l} />
          ))}
        </g>
        {layout.captions.map((c) => (
          <text key={c.key} x={c.x} y={c.y} className="topo-caption" data-testid="topology-caption">
            {c.text}
          </text>
        ))}
        <g className="topo-networks">
          {layout.networks.map((n) => (
            <NetworkBar key={n.network.id} bar={n} />
          ))}
        </g>
        <g className="topo-routers">
          {layout.routers.map((r) => (
            <RouterBox key={r.router.id} box={r} />
          ))}
        </g>
        <g className="topo-instances">
          {layout.instances.map((i) => (
            <InstanceBox key={i.instance.id} box={i} />
          ))}
        </g>
        <g className="topo-labels" aria-hidden="true">
          {layout.links.map((l) => (
            <text key={l.key} x={l.label.x} y={l.label.y} className={`topo-label topo-label-${l.kind}`}>
              {l.label.lines.map((line, i) => (
                <tspan key={i} x={l.label.x} dy={i === 0 ? 0 : 13}>
                  {line}
                </tspan>
              ))}
            </text>
          ))}
        </g>
      </svg>
    </div>
  )
}

function Link({ link: l }: { link: LaidLink }) {
  return (
    <g className={`topo-link topo-link-${l.kind} topo-c-${l.colour}`} data-testid="topology-link" data-kind={l.kind} data-device={l.deviceName} data-device-id={l.deviceId} data-network={l.networkName} data-label={l.label.lines.join(' ')}>
      <title>{`${l.deviceName} → ${l.networkName}: ${l.label.lines.join(', ')}`}</title>
      <path d={l.d} className="topo-link-line" />
      <circle cx={l.dot.x} cy={l.dot.y} r={4} className="topo-link-dot" />
    </g>
  )
}

function NetworkBar({ bar: b }: { bar: LaidNetwork }) {
  const n = b.network
  return (
    <a
      href={href(`/network/networks/${enc(n.id)}`)}
      className={`topo-network topo-c-${b.colour}`}
      aria-label={`Network ${n.name}${n.cidrs.length ? `, ${n.cidrs.join(', ')}` : ''}${n.external ? ', external' : ''}`}
      data-testid="topology-network"
      data-name={n.name}
      data-id={n.id}
      data-external={n.external ? 'true' : 'false'}
    >
      <title>{`${n.name}: ${b.label.detail} (${n.status}). Open the network.`}</title>
      <rect x={b.x} y={b.y} width={b.w} height={b.h} rx={6} className="topo-bar" />
      <text x={b.x + 12} y={b.y + b.h / 2 + 5} className="topo-bar-text">
        <tspan className="topo-bar-name">{b.label.name}</tspan>
        <tspan dx={10} className="topo-bar-detail">
          {b.label.detail}
        </tspan>
      </text>
    </a>
  )
}

function RouterBox({ box: r }: { box: LaidRouter }) {
  const gx = r.x + 22
  const gy = r.y + r.h / 2
  return (
    <a
      href={href(`/network/routers/${enc(r.router.id)}`)}
      className="topo-router"
      aria-label={`Router ${r.router.name}, ${r.router.status}`}
      data-testid="topology-router"
      data-name={r.router.name}
      data-id={r.router.id}
    >
      <title>{`Router ${r.router.name} (${r.router.status}): ${r.router.interfaces.length} interface${r.router.interfaces.length === 1 ? '' : 's'}${r.router.gateway ? ', a gateway' : ', no gateway'}. Open the routers.`}</title>
      <rect x={r.x} y={r.y} width={r.w} height={r.h} rx={10} className="topo-box topo-router-box" />
      <circle cx={gx} cy={gy} r={13} className="topo-router-glyph" />
      <path d={`M${gx - 7} ${gy}h14M${gx} ${gy - 7}v14M${gx + 4} ${gy - 3}l3 3-3 3M${gx - 4} ${gy - 3}l-3 3 3 3`} className="topo-router-arrows" />
      <text x={r.x + 44} y={r.y + 21} className="topo-box-name">
        {r.name}
      </text>
      <text x={r.x + 44} y={r.y + 37} className="topo-box-detail">
        router · {r.router.status}
      </text>
    </a>
  )
}

function InstanceBox({ box: i }: { box: LaidInstance }) {
  const inst = i.instance
  const body = (
    <>
      <title>{`Instance ${inst.name} (${inst.status})${inst.floatingIps.length ? `, floating IP ${inst.floatingIps.join(', ')}` : ''}${inst.ports.length ? '' : ', no network port'}${inst.known ? '. Open the instance.' : ''}`}</title>
      <rect x={i.x} y={i.y} width={i.w} height={i.h} rx={8} className={`topo-box topo-instance-box topo-tone-${i.tone}`} />
      <text x={i.x + 12} y={i.y + 20} className="topo-box-name">
        {i.name}
      </text>
      <circle cx={i.x + 16} cy={i.y + 33} r={4} className={`topo-status-dot topo-tone-${i.tone}`} />
      <text x={i.x + 26} y={i.y + 37} className="topo-box-detail" data-testid="topology-instance-status">
        {inst.status}
      </text>
      {i.floating ? (
        <text x={i.x + 12} y={i.y + 53} className="topo-floating" data-testid="topology-floating-ip">
          <tspan className="topo-floating-mark">⇄ </tspan>
          {i.floating}
        </text>
      ) : null}
    </>
  )
  const common = {
    className: 'topo-instance',
    'data-testid': 'topology-instance',
    'data-name': inst.name,
    'data-id': inst.id,
    'data-status': inst.status,
  }
  return inst.known ? (
    <a href={href(`/compute/instances/${enc(inst.id)}`)} aria-label={`Instance ${inst.name}, ${inst.status}`} {...common}>
      {body}
    </a>
  ) : (
    <g {...common}>{body}</g>
  )
}

