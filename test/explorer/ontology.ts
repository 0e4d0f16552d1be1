/**
 * RealEstateCore v3 (767 interfaces) from the shared reference material, for the model graph's test and
 * benchmark: where it is, whether it is there, and its documents as an upload sends them (each file's text).
 */
import fs from 'node:fs';
import { hasShared, listFiles, sharedPath } from '../support/shared';

const REC = ['dtdl', 'ontologies', 'realestatecore-v3'];

export const REC_PATH = sharedPath(...REC);

export function hasRec(): boolean {
  return hasShared(...REC);
}

export function recDocuments(): string[] {
  return listFiles(REC_PATH, '.json').map((file) => fs.readFileSync(file, 'utf8'));
}

/** The upload of every document at once (about 4 MB: the app needs TWINGRAPH_MAX_BODY above 1 MB). */
export const UPLOAD = 'mutation ($d: [JSON!]!) { uploadModels(documents: $d) { models { id } } }';
