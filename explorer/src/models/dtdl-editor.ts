// The DTDL editor: CodeMirror 6 with JSON highlighting, folding and bracket matching, showing the engine's
// errors as diagnostics at their line and column (underlined, with the message on hover and in the gutter).
import { json } from '@codemirror/lang-json';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';

export interface Located {
  readonly line: number;
  readonly column?: number;
  readonly message: string;
}

export function createEditor(parent: HTMLElement, text: string, onChange: (text: string) => void): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        basicSetup,
        json(),
        lintGutter(),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': 'DTDL document (JSON)' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
}

/** Marks each error from its position to the end of its token (or line), lines and columns counted from 1. */
export function showErrors(view: EditorView, errors: readonly Located[]): void {
  const doc = view.state.doc;
  const diagnostics: Diagnostic[] = errors.map((e) => {
    const line = doc.line(Math.min(Math.max(1, e.line), doc.lines));
    const from = Math.min(line.from + Math.max(0, (e.column ?? 1) - 1), line.to);
    const token = /^("(?:[^"\\]|\\.)*"|[^\s,}\]]+)/.exec(doc.sliceString(from, line.to));
    const to = token ? from + token[0].length : line.to;
    return { from, to: Math.max(to, from), severity: 'error', message: e.message };
  });
  view.dispatch(setDiagnostics(view.state, diagnostics));
}

/** Puts the cursor on a line and column and scrolls it into view. */
export function goTo(view: EditorView, line: number, column = 1): void {
  const l = view.state.doc.line(Math.min(Math.max(1, line), view.state.doc.lines));
  const pos = Math.min(l.from + column - 1, l.to);
  view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
  view.focus();
}
