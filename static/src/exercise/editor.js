// CodeMirror 6 over the page's <textarea name="source">: the textarea stays the form's
// field (kept in sync on every change), so a native submit still sends the code.
import { EditorView, minimalSetup } from "codemirror";
import { highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { indentWithTab } from "@codemirror/commands";
import { bracketMatching, indentOnInput, indentUnit } from "@codemirror/language";
import { python } from "@codemirror/lang-python";

// minimalSetup (undo history, selection drawing, highlighting, the default keymap) plus
// what reading code needs; no autocompletion pop-ups or search panel, which get in a
// beginner's way more than they help and would add about a fifth to the bundle.

// `nonce`: the page's Content-Security-Policy nonce, without which the browser refuses
// the <style> element CodeMirror writes its theme into.
export function mountEditor({ textarea, host, nonce = "", onChange = () => {} }) {
  const labelledBy = textarea.id ? document.querySelector(`label[for="${textarea.id}"]`) : null;
  const describedBy = textarea.getAttribute("aria-describedby") || "";
  const view = new EditorView({
    parent: host,
    doc: textarea.value,
    extensions: [
      minimalSetup,
      lineNumbers(),
      highlightActiveLine(),
      highlightActiveLineGutter(),
      bracketMatching(),
      indentOnInput(),
      // Tab indents. CodeMirror's escape hatch keeps keyboard users free to leave: Esc
      // then Tab (or Ctrl-M / Shift-Alt-M to toggle) moves focus on instead of indenting.
      keymap.of([indentWithTab]),
      python(),
      indentUnit.of("    "),
      EditorState.tabSize.of(4),
      EditorView.lineWrapping,
      EditorView.cspNonce.of(nonce),
      EditorView.contentAttributes.of({
        "aria-label": labelledBy ? labelledBy.textContent.trim() : "Code",
        "aria-describedby": describedBy,
        "aria-multiline": "true",
        spellcheck: "false",
        autocapitalize: "off",
      }),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        textarea.value = update.state.doc.toString();
        onChange(textarea.value);
      }),
    ],
  });
  if (labelledBy) labelledBy.addEventListener("click", () => view.focus());
  textarea.hidden = true;
  host.hidden = false;
  return view;
}
