// The course editor's CodeMirror: one view whose state is replaced per file (so undo never
// crosses into another file), with the file's language, read-only when the file is not
// editable, and the course check's problems as lint diagnostics.
import { EditorView, minimalSetup } from "codemirror";
import { highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from "@codemirror/view";
import { EditorState, Prec } from "@codemirror/state";
import { indentWithTab } from "@codemirror/commands";
import { bracketMatching, indentOnInput, indentUnit, LanguageSupport } from "@codemirror/language";
import { python } from "@codemirror/lang-python";
import { markdownKeymap, markdownLanguage } from "@codemirror/lang-markdown";
import { yaml, yamlFrontmatter } from "@codemirror/lang-yaml";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { problemsToDiagnostics } from "./problems.js";

// Lessons are Markdown under YAML front matter. markdownLanguage rather than markdown():
// the latter brings the HTML, CSS and JavaScript parsers for raw HTML, which lessons may
// not contain (the sanitizer strips it), at about three times the size.
const LANGUAGES = {
  markdown: () => [yamlFrontmatter({ content: new LanguageSupport(markdownLanguage, Prec.high(keymap.of(markdownKeymap))) }), indentUnit.of("    ")],
  yaml: () => [yaml(), indentUnit.of("  ")],
  python: () => [python(), indentUnit.of("    ")],
};

export function createCodeEditor({ host, nonce = "", label = "File", describedBy = "", onChange = () => {}, onSave = () => {} }) {
  const extensionsFor = ({ language, editable }) => [
    minimalSetup,
    lineNumbers(),
    highlightActiveLine(),
    highlightActiveLineGutter(),
    bracketMatching(),
    indentOnInput(),
    lintGutter(),
    // Tab indents; Esc then Tab leaves the editor (CodeMirror's escape hatch for keyboards).
    keymap.of([indentWithTab, { key: "Mod-s", preventDefault: true, run: () => { onSave(); return true; } }]),
    (LANGUAGES[language] || (() => []))(),
    EditorState.tabSize.of(4),
    EditorState.readOnly.of(!editable),
    EditorView.lineWrapping,
    EditorView.cspNonce.of(nonce),
    EditorView.contentAttributes.of({
      "aria-label": label,
      "aria-describedby": describedBy,
      "aria-multiline": "true",
      "aria-readonly": editable ? "false" : "true",
      spellcheck: "false",
      autocapitalize: "off",
    }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onChange(update.state.doc);
    }),
  ];

  const view = new EditorView({ parent: host, state: EditorState.create({ doc: "", extensions: extensionsFor({ language: "text", editable: false }) }) });

  return {
    view,
    /** Shows a file: new state, so the undo history starts with it. */
    open({ content, language, editable, label: fileLabel }) {
      if (fileLabel) label = fileLabel;
      view.setState(EditorState.create({ doc: content, extensions: extensionsFor({ language, editable }) }));
    },
    text() {
      return view.state.doc.toString();
    },
    showProblems(problems) {
      view.dispatch(setDiagnostics(view.state, problemsToDiagnostics(problems, view.state.doc)));
    },
    goToLine(number) {
      const doc = view.state.doc;
      const line = doc.line(Math.min(Math.max(1, number || 1), doc.lines));
      view.dispatch({ selection: { anchor: line.from }, effects: EditorView.scrollIntoView(line.from, { y: "center" }) });
      view.focus();
    },
    focus() {
      view.focus();
    },
  };
}
