/** `npm run conformance`: prints the conformance figures and every disagreement (a development aid). */
import { runConformance } from './conformance';

const summary = runConformance();
const pct = (n: number, d: number): string => `${((100 * n) / d).toFixed(2)}%`;
for (const o of summary.outcomes) {
  if (o.verdictAgrees && (o.expectedValid || o.idsAgree)) continue;
  const tag = o.crashed ? 'CRASH' : !o.verdictAgrees ? 'VERDICT' : 'IDS';
  const short = (ids: readonly string[]): string => ids.map((i) => i.split(':').pop()).join(',');
  console.log(
    `${tag} ${o.name} expected=${o.expectedValid ? 'valid' : short(o.expectedIds)} actual=${o.actualValid ? 'valid' : short(o.actualIds)}${o.crashed ? `\n${o.crashed.split('\n').slice(0, 4).join('\n')}` : ''}`,
  );
}
console.log(
  `verdicts: ${summary.verdictAgreements}/${summary.cases} (${pct(summary.verdictAgreements, summary.cases)})`,
);
console.log(
  `validation ids on invalid cases: ${summary.idAgreements}/${summary.invalidCases} (${pct(summary.idAgreements, summary.invalidCases)})`,
);
