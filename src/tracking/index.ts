export { Tracker } from './tracker.js';
export { track } from './track-operator.js';
export { solveAssignment, solveThresholded, solveSparse, FORBIDDEN_COST } from './hungarian.js';
export { trackerOptionsSchema, parseTrackerOptions, type TrackerOptions, type TrackerOptionsInput, type TrackerSnapshot, type TrackSnapshot, type OverlapKind } from './types.js';
