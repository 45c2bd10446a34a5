/** Fill colours per task status; an unknown or absent status gets DEFAULT_FILL. */
export const STATUS_COLOURS: Readonly<Record<string, { fill: string; text: string }>> = {
  PENDING: { fill: '#9ca3af', text: '#111827' }, // grey
  READY: { fill: '#60a5fa', text: '#111827' }, // blue
  RUNNING: { fill: '#fbbf24', text: '#111827' }, // amber
  BLOCKED: { fill: '#a78bfa', text: '#111827' }, // purple
  COMPLETED: { fill: '#4ade80', text: '#111827' }, // green
  FAILED: { fill: '#f87171', text: '#111827' }, // red
  CANCELLED: { fill: '#4b5563', text: '#ffffff' }, // dark grey
  RETRYING: { fill: '#fb923c', text: '#111827' }, // orange
  SCHEDULED: { fill: '#22d3ee', text: '#111827' }, // cyan
};
export const DEFAULT_FILL = { fill: '#f3f4f6', text: '#111827' };

export function colourOf(status: string | undefined): { fill: string; text: string } {
  return (status !== undefined && Object.hasOwn(STATUS_COLOURS, status) && STATUS_COLOURS[status]) || DEFAULT_FILL;
}

/** A class name safe in both Mermaid and SVG: letters, digits and underscore only. */
export function cssClass(status: string): string {
  return `status_${status.replace(/[^A-Za-z0-9_]/g, '_')}`;
}
