// Runs the official DTDL parser (compiled to WebAssembly, @digicatapult/dtdl-parser) over JSON texts
// given on stdin as a JSON array; prints one verdict per text. A child process because the package
// is an ES module and the reference parser's runtime is best kept out of jest's module system.
import { getInterop } from '@digicatapult/dtdl-parser';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const texts = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const parser = await getInterop();
const originalLog = console.log;
console.log = () => undefined; // the interop prints progress
const verdicts = texts.map((text) => {
  try {
    parser.parse(text);
    return { valid: true, ids: [] };
  } catch (err) {
    try {
      const detail = JSON.parse(String(err.message ?? err));
      return {
        valid: false,
        kind: detail.ExceptionKind,
        ids: (detail.Errors ?? []).map((e) => e.ValidationID).filter(Boolean),
      };
    } catch {
      return { valid: false, kind: 'Other', ids: [] };
    }
  }
});
console.log = originalLog;
process.stdout.write(JSON.stringify(verdicts));
