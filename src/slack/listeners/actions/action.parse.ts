/** Request, grant and review-item ids as buttons and forms carry them. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function alreadyDecidedText(status: string): string {
  return `This request was already ${status}; nothing more to do. The message shows who decided.`;
}
