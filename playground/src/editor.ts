import { indentWithTab } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { EditorSelection } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { basicSetup, EditorView } from "codemirror";

/**
 * The code editor: CodeMirror 6 with TypeScript highlighting, undo, bracket matching and search;
 * Tab indents (Escape then Tab leaves the editor, as CodeMirror documents for accessibility),
 * Ctrl/Cmd-Enter calls `onRun`; `onChange` is called after each edit the user makes.
 */
export class CodeEditor {
  readonly #view: EditorView;
  /** True while `value` is being set: a load, not an edit (no `onChange`). */
  #loading = false;

  constructor(parent: HTMLElement, onRun: () => void, onChange?: () => void) {
    this.#view = new EditorView({
      parent,
      extensions: [
        keymap.of([{ key: "Mod-Enter", run: () => (onRun(), true) }, indentWithTab]),
        basicSetup,
        javascript({ typescript: true }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && !this.#loading) onChange?.();
        }),
        EditorView.contentAttributes.of({ "aria-label": "workflow source (TypeScript)" }),
      ],
    });
  }

  /** The current source. */
  get value(): string {
    return this.#view.state.doc.toString();
  }

  /**
   * Replaces the whole source (undo history included, as loading another file would). A load is
   * not an edit: `onChange` is called for what the user types, never for this.
   */
  set value(text: string) {
    this.#loading = true;
    try {
      this.#view.dispatch({ changes: { from: 0, to: this.#view.state.doc.length, insert: text }, selection: EditorSelection.cursor(0) });
    } finally {
      this.#loading = false;
    }
  }

  /** Puts the cursor at a 1-based line and column and scrolls there (a compile error's position). */
  reveal(line: number, column: number): void {
    const doc = this.#view.state.doc;
    const at = doc.line(Math.min(Math.max(line, 1), doc.lines));
    const pos = Math.min(at.from + Math.max(column - 1, 0), at.to);
    this.#view.dispatch({ selection: EditorSelection.cursor(pos), scrollIntoView: true });
    this.#view.focus();
  }
}
