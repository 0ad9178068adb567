// The deal page's "History of changes": the deal's audit log (GET /api/deals/{id}/audit), newest
// first, a page at a time with "Load more". Each entry says who, when (local time) and what, and
// lists its fields as "Field: before → after" (audit_format.ts). The first page is read again
// whenever the deal's version changes, so an edit made on the page shows up at once.

import { useMemo } from 'preact/hooks';
import type { Deal } from '../api';
import { currenciesOf, describeAuditEntry, type AuditNames } from '../audit_format';
import { LoadMore, PagedState, usePaged } from './contacts_common';
import { useApp } from './ui';

const kAuditPageSize = 20;

export function DealAudit({ deal, names }: { deal: Deal; names: AuditNames }) {
  const { api } = useApp();
  const log = usePaged(`${deal.id}@${deal.version}`, (cursor) => api.dealAudit(deal.id, cursor, kAuditPageSize));
  const currencies = useMemo(() => currenciesOf(log.items, deal.currency), [log.items, deal.currency]);

  if (log.status !== 'ready') return <PagedState list={log} what="history of changes" />;
  if (log.items.length === 0) return <p class="section-empty">No changes recorded yet.</p>;
  return (
    <div class="deal-audit">
      <ol class="audit-list" aria-label="Changes, newest first">
        {log.items.map((item) => {
          const entry = describeAuditEntry(item, names, currencies.get(item.id) ?? { before: deal.currency, after: deal.currency });
          return (
            <li key={entry.id} class="audit-entry" data-audit-id={entry.id} data-action={item.action}>
              <p class="audit-head">
                <span class="audit-who">{entry.who}</span> <span class="audit-what">{entry.what}</span>{' '}
                <time class="audit-when" dateTime={entry.at}>
                  {entry.when}
                </time>
              </p>
              {entry.lines.length > 0 && (
                <ul class="audit-changes">
                  {entry.lines.map((line) => (
                    <li key={line.field} class="audit-change" data-field={line.field}>
                      <span class="audit-field">{line.label}:</span>{' '}
                      {line.before !== null && <span class="audit-before">{line.before}</span>}
                      {line.before !== null && line.after !== null && ' → '}
                      {line.after !== null && <span class="audit-after">{line.after}</span>}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
      <LoadMore list={log} what="changes" />
    </div>
  );
}
