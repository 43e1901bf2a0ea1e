export * from './types.js';
export { FrameSource } from './frame-source.js';
export { probeSource, type ProbeOptions } from './probe.js';
export { parseSourceUrl, buildInputArgs, ALLOWED_SCHEMES, type SourceSpec, type SourceKind, type InputArgOptions } from './url.js';
export { SourceError, SourceErrorCode, classifyStderr } from './source-error.js';
export { defaultRetryPolicy, resolveRetryPolicy, backoffDelayMs } from './retry-policy.js';
export { resolveFfmpeg, resolveFfprobe, describeBinaries, type BinaryInfo } from './ffmpeg-binary.js';
export { FrameAssembler } from './frame-assembler.js';
export { liveChildPids } from './process-registry.js';
