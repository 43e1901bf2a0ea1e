/**
 * The part of the runtime's input {@link Transform} the decoders need: `input = frame · scale + pad`
 * on each axis (pixel edges), with the model input size. Stretch, letterbox and pad-bottom-right all
 * fit; decoders map model outputs back to the frame exactly through it.
 */
import type { Transform } from '../../preprocess.js';

export type Placement = Pick<Transform, 'scaleX' | 'scaleY' | 'padX' | 'padY' | 'dstWidth' | 'dstHeight'>;
