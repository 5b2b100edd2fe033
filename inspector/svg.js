// SVG elements built node by node: text goes in as a text node, never as markup.

const SVG_NS = 'http://www.w3.org/2000/svg'

/** An SVG element with attributes and, optionally, text content. */
export function svg (tag, attributes = {}, text) {
  const node = document.createElementNS(SVG_NS, tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value))
  }
  if (text !== undefined && text !== null) node.textContent = String(text)
  return node
}

/** A tooltip for an SVG element (the browser shows <title> on hover). */
export function tooltip (text) {
  return svg('title', {}, text)
}
