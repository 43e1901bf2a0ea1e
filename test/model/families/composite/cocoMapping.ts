/**
 * Unified stuff ids of the shipped bundles (1000 + semantic label) → COCO panoptic stuff category
 * ids, for PQ on COCO panoptic GT. Things already use COCO panoptic ids. Classes absent here have
 * no COCO panoptic counterpart (e.g. Cityscapes pole / traffic sign, ADE20K painting, column) and
 * count as false positives when predicted.
 */
const CITYSCAPES: Record<string, number> = {
  road: 149, sidewalk: 191, building: 197, wall: 199, fence: 185, vegetation: 184, terrain: 193, sky: 187,
};
const ADE20K: Record<string, number> = {
  wall: 199, building: 197, sky: 187, floor: 190, tree: 184, ceiling: 186, road: 149, windowpane: 181, grass: 193, cabinet: 188,
  sidewalk: 191, earth: 194, door: 112, table: 189, mountain: 192, plant: 184, curtain: 109, water: 178, shelf: 156, house: 128,
  sea: 155, mirror: 133, rug: 200, field: 193, fence: 185, desk: 189, rock: 198, sand: 154, skyscraper: 197, stairs: 161,
  stairway: 161, river: 148, bridge: 95, flower: 119, hill: 192, counter: 107, countertop: 107, path: 191, 'dirt track': 194,
  land: 194, pillow: 141, towel: 168, blanket: 93, tent: 166, light: 130, blind: 180, railing: 185, food: 196, bookcase: 156,
  wardrobe: 188, 'chest of drawers': 188, 'coffee table': 189, 'kitchen island': 107, 'palm tree': 184, lake: 178, waterfall: 178,
  'swimming pool': 178, 'screen door': 112, awning: 166, canopy: 166, 'pool table': 189, poster: 92, flag: 92, 'bulletin board': 92,
};

/** unified category id → COCO panoptic category id (-1: no counterpart) for a bundle's classes. */
export function cocoMapFor(bundle: 'default' | 'indoor' | 'fast', classes: readonly { id: number; name: string; isThing: boolean }[]): Map<number, number> {
  const table = bundle === 'indoor' ? ADE20K : CITYSCAPES;
  return new Map(classes.map((c) => [c.id, c.isThing ? c.id : (table[c.name] ?? -1)]));
}
