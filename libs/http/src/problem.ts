/** One field that failed validation, by JSON path. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * An RFC 9457 problem. Thrown only from the HTTP edge (controllers and the
 * error mappers next to them); domain code throws its own typed errors.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extra: { type?: string; errors?: FieldError[]; headers?: Record<string, string>; [key: string]: unknown } = {},
  ) {
    super(detail);
  }

  body(instance?: string): Record<string, unknown> {
    const { headers: _headers, type, ...rest } = this.extra;
    return {
      type: type ?? `https://shopfront.dev/problems/${this.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...rest,
    };
  }
}

export const problemContentType = 'application/problem+json';
