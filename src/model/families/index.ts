/**
 * Registers every model family (each module calls registerFamily at import). Add one line per family.
 */
import './generalist-pe/index.js';
import './panoptic-deeplab/index.js';
import './composite/index.js';
import './mask-classification/index.js';
