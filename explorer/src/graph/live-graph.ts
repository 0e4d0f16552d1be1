// Keeps the twin graph in step with the server: twinChanged and relationshipChanged applied as they come.
// A changed twin flashes; a deleted one goes; a new relationship appears when one of its twins is on screen
// (bringing the other along); a new twin appears when it belongs to what was loaded. Nothing else moves, so
// the layout and the selection stay as they are.
import { adtType } from '../api/change-types';
import { LiveSubscription } from '../api/live';
import type { TwinGraph, TwinRef } from './twin-graph';

const TWINS = `subscription ($since: Long) { twinChanged(since: $since) { seq type twinId modelId } }`;
const RELATIONSHIPS = `subscription ($since: Long) {
  relationshipChanged(since: $since) {
    seq type twinId relationshipId
    relationship { id: relationshipId name sourceId targetId source { id modelId } target { id modelId } }
  }
}`;

interface TwinEvent {
  type: string;
  twinId: string;
  modelId: string | null;
}

interface RelationshipEvent {
  type: string;
  twinId: string;
  relationshipId: string;
  relationship: {
    id: string;
    name: string;
    sourceId: string;
    targetId: string;
    source: TwinRef | null;
    target: TwinRef | null;
  } | null;
}

export interface LiveGraphHooks {
  /** Whether a new twin of this model belongs on screen (what was loaded covers it). */
  readonly wants: (modelId: string) => boolean;
  /** After any change: the graph changed shape (`structural`) or a twin only changed (`twinId`). */
  readonly changed: (what: { structural: boolean; twinId?: string }) => void;
}

export function followGraph(graph: TwinGraph, hooks: LiveGraphHooks): () => void {
  const twins = new LiveSubscription(TWINS, {}, (e) => {
    const event = e as unknown as TwinEvent;
    event.type = adtType(event.type);
    if (event.type === 'Twin.Delete') {
      if (!graph.has(event.twinId)) return;
      graph.removeTwin(event.twinId);
      hooks.changed({ structural: true, twinId: event.twinId });
    } else if (graph.has(event.twinId)) {
      if (event.modelId) graph.addTwin({ id: event.twinId, modelId: event.modelId });
      graph.flash(event.twinId);
      hooks.changed({ structural: false, twinId: event.twinId });
    } else if (event.type === 'Twin.Create' && event.modelId && hooks.wants(event.modelId)) {
      graph.addTwin({ id: event.twinId, modelId: event.modelId });
      graph.flash(event.twinId);
      hooks.changed({ structural: true, twinId: event.twinId });
    }
  });
  const relationships = new LiveSubscription(RELATIONSHIPS, {}, (e) => {
    const event = e as unknown as RelationshipEvent;
    event.type = adtType(event.type);
    const r = event.relationship;
    if (event.type === 'Relationship.Delete' || !r) {
      graph.removeRelationship(event.twinId, event.relationshipId);
      hooks.changed({ structural: true, twinId: event.twinId });
      return;
    }
    const hasSource = graph.has(r.sourceId);
    const hasTarget = graph.has(r.targetId);
    if (!hasSource && !hasTarget) return;
    if (!hasSource && r.source) graph.addTwin(r.source, r.targetId);
    if (!hasTarget && r.target) graph.addTwin(r.target, r.sourceId);
    graph.addRelationship(r);
    graph.flash(r.sourceId);
    hooks.changed({ structural: true, twinId: r.sourceId });
  });
  return () => {
    twins.stop();
    relationships.stop();
  };
}
