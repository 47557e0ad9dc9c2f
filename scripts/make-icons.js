#!/usr/bin/env node
// Makes the installers' icons from resources/icon.png (512×512 RGBA, drawn from resources/icon.svg) with Node's
// zlib only: `node scripts/make-icons.js`. Writes resources/icons/:
//   <n>x<n>.png for 16…512   Linux (electron-builder takes the folder as the icon set; AppImage and .deb)
//   icon.ico                 Windows (NSIS, the .exe): PNG-compressed entries 16, 24, 32, 48, 64, 128, 256
//   icon.icns                macOS (dmg, the .app): PNG entries ic11/ic12/ic07/ic13/ic08/ic14/ic09 (16@2x … 512)
// Downscaling averages the source pixels each target pixel covers (premultiplied alpha), so edges stay clean.
// The output is deterministic: the same icon.png gives byte-identical files.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const zlib = require('node:zlib')

const root = path.resolve(__dirname, '..')
const SOURCE = path.join(root, 'resources/icon.png')
const OUT = path.join(root, 'resources/icons')
const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512]
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
// OSType → pixel size (all PNG-encoded types; the 16/32 "@2x" ones are what current macOS reads for small sizes).
const ICNS_ENTRIES = [
  ['ic11', 32],
  ['ic12', 64],
  ['ic07', 128],
  ['ic13', 256],
  ['ic08', 256],
  ['ic14', 512],
  ['ic09', 512],
]

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** Decodes an 8-bit RGBA or RGB, non-interlaced PNG into { width, height, rgba }. */
function decodePng(buf) {
  if (!buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG')
  let off = 8
  let width = 0
  let height = 0
  let colorType = 0
  const idat = []
  while (off < buf.length) {
    const len = buf.readUInt32BE(off)
    const type = buf.toString('latin1', off + 4, off + 8)
    const data = buf.subarray(off + 8, off + 8 + len)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      const depth = data[8]
      colorType = data[9]
      if (depth !== 8 || (colorType !== 6 && colorType !== 2) || data[12] !== 0) throw new Error('only 8-bit RGB(A) non-interlaced PNGs are supported')
    } else if (type === 'IDAT') idat.push(data)
    else if (type === 'IEND') break
    off += 12 + len
  }
  const bpp = colorType === 6 ? 4 : 3
  const raw = zlib.inflateSync(Buffer.concat(idat))
  const stride = width * bpp
  const pixels = Buffer.alloc(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    const out = pixels.subarray(y * stride, (y + 1) * stride)
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride)
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[x - bpp] : 0
      const b = prev[x]
      const c = x >= bpp ? prev[x - bpp] : 0
      let v = line[x]
      if (filter === 1) v += a
      else if (filter === 2) v += b
      else if (filter === 3) v += (a + b) >> 1
      else if (filter === 4) {
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter}`)
      out[x] = v & 0xff
    }
  }
  if (bpp === 4) return { width, height, rgba: pixels }
  const rgba = Buffer.alloc(width * height * 4)
  for (let i = 0; i < width * height; i++) {
    pixels.copy(rgba, i * 4, i * 3, i * 3 + 3)
    rgba[i * 4 + 3] = 255
  }
  return { width, height, rgba }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

/** Encodes RGBA as an 8-bit RGBA PNG (filter 0 per line; zlib level 9). */
function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8
  ihdr[9] = 6
  const raw = Buffer.alloc(height * (width * 4 + 1))
  for (let y = 0; y < height; y++) rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4)
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))])
}

/** Area-average resampling with premultiplied alpha. */
function resize(src, size) {
  if (src.width === size && src.height === size) return src.rgba
  const out = Buffer.alloc(size * size * 4)
  const sx = src.width / size
  const sy = src.height / size
  for (let y = 0; y < size; y++) {
    const y0 = y * sy
    const y1 = y0 + sy
    for (let x = 0; x < size; x++) {
      const x0 = x * sx
      const x1 = x0 + sx
      let r = 0, g = 0, b = 0, a = 0, w = 0
      for (let yy = Math.floor(y0); yy < Math.ceil(y1); yy++) {
        const wy = Math.min(yy + 1, y1) - Math.max(yy, y0)
        for (let xx = Math.floor(x0); xx < Math.ceil(x1); xx++) {
          const wx = Math.min(xx + 1, x1) - Math.max(xx, x0)
          const weight = wx * wy
          const i = (yy * src.width + xx) * 4
          const alpha = src.rgba[i + 3] / 255
          r += src.rgba[i] * alpha * weight
          g += src.rgba[i + 1] * alpha * weight
          b += src.rgba[i + 2] * alpha * weight
          a += alpha * weight
          w += weight
        }
      }
      const o = (y * size + x) * 4
      if (a > 0) {
        out[o] = Math.round(r / a)
        out[o + 1] = Math.round(g / a)
        out[o + 2] = Math.round(b / a)
      }
      out[o + 3] = Math.round((a / w) * 255)
    }
  }
  return out
}

/** ICO: ICONDIR + one ICONDIRENTRY per image, each image a whole PNG file (Windows Vista and later). */
function encodeIco(pngs) {
  const header = Buffer.alloc(6 + 16 * pngs.length)
  header.writeUInt16LE(0, 0)
  header.writeUInt16LE(1, 2)
  header.writeUInt16LE(pngs.length, 4)
  let offset = header.length
  pngs.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i
    header[e] = size >= 256 ? 0 : size
    header[e + 1] = size >= 256 ? 0 : size
    header[e + 2] = 0
    header[e + 3] = 0
    header.writeUInt16LE(1, e + 4)
    header.writeUInt16LE(32, e + 6)
    header.writeUInt32LE(png.length, e + 8)
    header.writeUInt32LE(offset, e + 12)
    offset += png.length
  })
  return Buffer.concat([header, ...pngs.map((p) => p.png)])
}

/** ICNS: 'icns' + total length, then (OSType, length incl. 8-byte header, PNG data) per entry. */
function encodeIcns(entries) {
  const parts = entries.map(({ type, png }) => {
    const h = Buffer.alloc(8)
    h.write(type, 0, 'latin1')
    h.writeUInt32BE(png.length + 8, 4)
    return Buffer.concat([h, png])
  })
  const body = Buffer.concat(parts)
  const h = Buffer.alloc(8)
  h.write('icns', 0, 'latin1')
  h.writeUInt32BE(body.length + 8, 4)
  return Buffer.concat([h, body])
}

function main() {
  const src = decodePng(fs.readFileSync(SOURCE))
  if (src.width !== 512 || src.height !== 512) throw new Error(`${SOURCE} must be 512×512, not ${src.width}×${src.height}`)
  fs.mkdirSync(OUT, { recursive: true })
  const png = new Map()
  for (const size of PNG_SIZES) {
    const data = encodePng(size, size, resize(src, size))
    png.set(size, data)
    fs.writeFileSync(path.join(OUT, `${size}x${size}.png`), data)
  }
  fs.writeFileSync(path.join(OUT, 'icon.ico'), encodeIco(ICO_SIZES.map((size) => ({ size, png: png.get(size) }))))
  fs.writeFileSync(path.join(OUT, 'icon.icns'), encodeIcns(ICNS_ENTRIES.map(([type, size]) => ({ type, png: png.get(size) }))))
  console.log(`wrote ${path.relative(root, OUT)}/: ${PNG_SIZES.map((s) => `${s}x${s}.png`).join(' ')} icon.ico icon.icns`)
}

if (require.main === module) main()
module.exports = { decodePng, encodePng }
