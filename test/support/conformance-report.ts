/**
 * `npm run conformance`: prints the conformance figures and every disagreement, for v2/v3 (generated/) and v4
 * (generated-v4/), and the v4 cases set aside because they need contexts the specification does not publish.
 */
import { conformanceFiles, runConformance, type CaseSet } from './conformance';

const pct = (n: number, d: number): string => `${((100 * n) / d).toFixed(2)}%`;
const short = (ids: readonly string[]): string => ids.map((i) => i.split(':').pop()).join(',');
const SETS: [CaseSet, string][] = [
  ['generated', 'v2 and v3'],
  ['generated-v4', 'v4'],
];

const figures: string[] = [];
for (const [set, label] of SETS) {
  const summary = runConformance(conformanceFiles(set));
  console.log(`== ${label} (${set})`);
  for (const o of summary.outcomes) {
    if (o.verdictAgrees && (o.expectedValid || o.idsAgree)) continue;
    const tag = o.crashed ? 'CRASH' : !o.verdictAgrees ? 'VERDICT' : 'IDS';
    console.log(
      `${tag} ${o.name} expected=${o.expectedValid ? 'valid' : short(o.expectedIds)} actual=${o.actualValid ? 'valid' : short(o.actualIds)}${o.crashed ? `\n${o.crashed.split('\n').slice(0, 4).join('\n')}` : ''}`,
    );
  }
  const byContext = new Map<string, number>();
  for (const s of summary.skipped) for (const c of s.contexts) byContext.set(c, (byContext.get(c) ?? 0) + 1);
  figures.push(
    `${label}: verdicts ${summary.verdictAgreements}/${summary.cases} (${pct(summary.verdictAgreements, summary.cases)}); ` +
      `validation ids on invalid cases ${summary.idAgreements}/${summary.invalidCases} (${pct(summary.idAgreements, summary.invalidCases)})` +
      (summary.skipped.length > 0
        ? `; ${summary.skipped.length} cases set aside, needing ${[...byContext].map(([c, n]) => `${c} (${n})`).join(', ')}`
        : ''),
  );
}
for (const line of figures) console.log(line);
