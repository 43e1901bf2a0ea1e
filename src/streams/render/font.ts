/**
 * A tiny built-in 5×7 bitmap font for printable ASCII (0x20–0x7E), drawn straight into RGB24 buffers.
 * Each glyph is 5 columns; each column is one byte, bit 0 = top row (the classic HD44780-style table).
 * Characters outside the table draw as `?`.
 */

/** Glyph width and height in font pixels; the advance is width + 1. */
export const GLYPH_W = 5;
export const GLYPH_H = 7;
export const GLYPH_ADVANCE = GLYPH_W + 1;

// 95 glyphs × 5 columns, as hex (10 hex digits per glyph), from ' ' (0x20) to '~' (0x7E).
const TABLE_HEX =
  '0000000000' + '00005f0000' + '0007000700' + '147f147f14' + '242a7f2a12' + '2313086462' + '3649552250' + '0005030000' +
  '001c224100' + '0041221c00' + '082a1c2a08' + '08083e0808' + '0050300000' + '0808080808' + '0060600000' + '2010080402' +
  '3e5149453e' + '00427f4000' + '4261514946' + '2141454b31' + '1814127f10' + '2745454539' + '3c4a494930' + '0171090503' +
  '3649494936' + '064949291e' + '0036360000' + '0056360000' + '0008142241' + '1414141414' + '4122140800' + '0201510906' +
  '324979413e' + '7e1111117e' + '7f49494936' + '3e41414122' + '7f4141221c' + '7f49494941' + '7f09090101' + '3e41415132' +
  '7f0808087f' + '00417f4100' + '2040413f01' + '7f08142241' + '7f40404040' + '7f0204027f' + '7f0408107f' + '3e4141413e' +
  '7f09090906' + '3e4151215e' + '7f09192946' + '4649494931' + '01017f0101' + '3f4040403f' + '1f2040201f' + '7f2018207f' +
  '6314081463' + '0304780403' + '6151494543' + '00007f4141' + '0204081020' + '41417f0000' + '0402010204' + '4040404040' +
  '0001020400' + '2054545478' + '7f48444438' + '3844444420' + '384444487f' + '3854545418' + '087e090102' + '081454543c' +
  '7f08040478' + '00447d4000' + '2040443d00' + '007f102844' + '00417f4000' + '7c04180478' + '7c08040478' + '3844444438' +
  '7c14141408' + '081414187c' + '7c08040408' + '4854545420' + '043f444020' + '3c4040207c' + '1c2040201c' + '3c4030403c' +
  '4428102844' + '0c5050503c' + '4464544c44' + '0008364100' + '00007f0000' + '0041360800' + '0804080408';

/** Glyph columns, 5 bytes per character starting at 0x20. */
export const FONT_5X7: Uint8Array = (() => {
  const out = new Uint8Array(TABLE_HEX.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(TABLE_HEX.slice(i * 2, i * 2 + 2), 16);
  return out;
})();

/** Width in pixels of `text` drawn at `scale`. */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * GLYPH_ADVANCE - 1) * scale;
}

/** Target of text drawing: an RGB24 buffer with a row stride, clipped to [x0, x0+width) × [0, height). */
export interface TextCanvas {
  readonly data: Uint8Array;
  /** Bytes per row of `data`. */
  readonly strideBytes: number;
  /** Left edge of the drawable panel in pixels (for side-by-side outputs). */
  readonly x0: number;
  readonly width: number;
  readonly height: number;
}

/** True when font pixel (col,row) of character code `code` is set. */
export function glyphBit(code: number, col: number, row: number): boolean {
  const g = code >= 0x20 && code <= 0x7e ? code - 0x20 : 0x3f - 0x20;
  return ((FONT_5X7[g * GLYPH_W + col]! >> row) & 1) === 1;
}

/**
 * Draws `text` with its top-left corner at (x, y) panel pixels, each font pixel a `scale`×`scale`
 * square, clipped to the panel. Optional `background` fills the text box plus a 1-pixel margin first.
 */
export function drawText(canvas: TextCanvas, text: string, x: number, y: number, color: readonly [number, number, number], scale = 1, background?: readonly [number, number, number]): void {
  if (background) fillRect(canvas, x - 1, y - 1, textWidth(text, scale) + 2, GLYPH_H * scale + 2, background);
  const { data, strideBytes, x0, width, height } = canvas;
  for (let c = 0; c < text.length; c++) {
    const code = text.charCodeAt(c);
    const gx = x + c * GLYPH_ADVANCE * scale;
    if (gx >= width) break;
    for (let col = 0; col < GLYPH_W; col++) {
      for (let row = 0; row < GLYPH_H; row++) {
        if (!glyphBit(code, col, row)) continue;
        for (let sy = 0; sy < scale; sy++) {
          const py = y + row * scale + sy;
          if (py < 0 || py >= height) continue;
          for (let sx = 0; sx < scale; sx++) {
            const px = gx + col * scale + sx;
            if (px < 0 || px >= width) continue;
            const o = py * strideBytes + (x0 + px) * 3;
            data[o] = color[0];
            data[o + 1] = color[1];
            data[o + 2] = color[2];
          }
        }
      }
    }
  }
}

/** Fills a rectangle (panel pixels), clipped to the panel. */
export function fillRect(canvas: TextCanvas, x: number, y: number, w: number, h: number, color: readonly [number, number, number]): void {
  const xa = Math.max(0, x);
  const ya = Math.max(0, y);
  const xb = Math.min(canvas.width, x + w);
  const yb = Math.min(canvas.height, y + h);
  for (let py = ya; py < yb; py++) {
    let o = py * canvas.strideBytes + (canvas.x0 + xa) * 3;
    for (let px = xa; px < xb; px++, o += 3) {
      canvas.data[o] = color[0];
      canvas.data[o + 1] = color[1];
      canvas.data[o + 2] = color[2];
    }
  }
}
