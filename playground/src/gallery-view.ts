import { h } from "../../ui/dom.js";
import type { Example } from "./examples/index.js";

/** The gallery of examples as a list; the chosen one is marked, and clicking one calls `onPick`. */
export function renderGallery(list: HTMLElement, examples: readonly Example[], selected: string | undefined, onPick: (example: Example) => void): void {
  list.replaceChildren(...examples.map((example) =>
    h("li", {},
      h("button", {
        class: `example${example.id === selected ? " selected" : ""}`,
        "data-example": example.id,
        title: example.summary,
        onclick: () => onPick(example),
      }, example.title))));
}
