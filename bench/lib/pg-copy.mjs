// PostgreSQL `COPY … FROM STDIN` through node-postgres, without pg-copy-streams: a
// "submittable" query object that answers the server's CopyInResponse with the data.
const NOOP = () => {};

/** Text-format COPY value: NULL as \N, backslash, tab and newlines escaped. */
export function copyValue(v) {
  if (v === null || v === undefined) return '\\N';
  const s = String(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
}

/** Appends rows (arrays of values) as COPY text lines. */
export function copyLines(rows) {
  let out = '';
  for (const r of rows) out += r.map(copyValue).join('\t') + '\n';
  return out;
}

/**
 * Runs `COPY table (cols) FROM STDIN` on a connected pg.Client with the given text chunks.
 * `freeze`: rows written frozen and all-visible (the table must have been created or
 * truncated in the current transaction), so no VACUUM is needed after the load.
 */
export function copyFrom(client, table, columns, chunks, freeze = false) {
  const text = `COPY ${table} (${columns.join(', ')}) FROM STDIN${freeze ? ' (FREEZE)' : ''}`;
  return new Promise((resolve, reject) => {
    let rowCount = 0;
    client.query({
      text,
      submit(connection) {
        connection.query(text);
      },
      handleCopyInResponse(connection) {
        for (const c of chunks) if (c.length) connection.sendCopyFromChunk(Buffer.from(c));
        connection.endCopyFrom();
      },
      handleCommandComplete(msg) {
        rowCount = Number(/(\d+)$/.exec(msg.text ?? '')?.[1] ?? 0);
      },
      // on an error the client detaches the query before ReadyForQuery: settle here
      handleError: (err) => reject(err),
      handleReadyForQuery: () => resolve(rowCount),
      handleRowDescription: NOOP,
      handleDataRow: NOOP,
      handlePortalSuspended: NOOP,
      handleEmptyQuery: NOOP,
      handleCopyData: NOOP,
    });
  });
}
