import type { BlockDocument, RawDocument } from '../types.ts';
import { htmlToBlocks } from './html.ts';
import { readMarkdown } from './markdown.ts';
import { textToBlocks } from './text.ts';

/**
 * The `blocks` stage: a RawDocument of any format to the format-free block list.
 * After this point nothing knows whether the input was text, Markdown or HTML.
 * Reader diagnostics (`read/html-deep-nesting`, `read/html-too-deep`, `read/html-unparseable`,
 * `read/markdown-as-text`, `read/markdown-unparseable`) carry the document's path. Never
 * throws on any text.
 */
export function toBlocks(doc: RawDocument): BlockDocument {
  switch (doc.format) {
    case 'text':
      return { doc, blocks: textToBlocks(doc.text), diagnostics: [] };
    case 'markdown': {
      const { blocks, diagnostics } = readMarkdown(doc.text, doc.path);
      return { doc, blocks, diagnostics };
    }
    case 'html': {
      const { blocks, diagnostics } = htmlToBlocks(doc.text, { file: doc.path });
      return { doc, blocks, diagnostics };
    }
  }
}
