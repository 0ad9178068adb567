// A deal card on the board. Pure presentation: the board page wires dragging (data-deal-id) and
// the actions button.

import { Component } from 'preact';
import type { BoardCard } from '../api';
import { formatDay } from '../format';
import { formatMoney } from '../money';
import { dealPath, isModifiedClick, navigate } from '../router';
import { Avatar } from './ui';

interface CardProps {
  card: BoardCard;
  /** "YYYY-MM-DD", the UTC day the flags and relative dates are read against. */
  today: string;
  /** Opens the card's actions (move, won, lost); absent on the drag preview. */
  onActions?: (card: BoardCard) => void;
  hidden?: boolean;
}

/** The activity state of a card as words, for the label and the screen reader. */
function activityText(card: BoardCard, today: string): { text: string; tone: 'overdue' | 'none' | 'planned' } {
  if (card.no_next_activity || !card.next_activity_date) return { text: 'No next activity', tone: 'none' };
  const day = formatDay(card.next_activity_date, today);
  if (card.overdue) return { text: `Overdue: ${day}`, tone: 'overdue' };
  return { text: `Next: ${day}`, tone: 'planned' };
}

function renderCard({ card, today, onActions, hidden }: CardProps) {
  const activity = activityText(card, today);
  const contact = [card.org_name, card.person_name].filter((s): s is string => !!s).join(' · ');
  const flags = [activity.tone === 'overdue' ? 'overdue' : activity.tone === 'none' ? 'no next activity' : null, card.rotting ? 'rotting' : null]
    .filter((s): s is string => s !== null)
    .join(', ');
  return (
    <article
      class={`card card-${activity.tone}${card.rotting ? ' card-rotting' : ''}`}
      data-deal-id={card.id}
      aria-label={flags ? `${card.title} (${flags})` : card.title}
      hidden={hidden}
    >
      <div class="card-top">
        <h3 class="card-title">
          <DealLink id={card.id} title={card.title} />
        </h3>
        {onActions && (
          <button
            type="button"
            class="icon-button card-actions"
            aria-label={`Move or close ${card.title}`}
            aria-haspopup="dialog"
            onClick={() => onActions(card)}
          >
            <span aria-hidden="true">⋯</span>
          </button>
        )}
      </div>
      {contact && <p class="card-contact">{contact}</p>}
      <div class="card-meta">
        <span class="card-value">{formatMoney(card.value_minor, card.currency)}</span>
        <Avatar id={card.owner_id} name={card.owner_name} />
      </div>
      <div class="card-flags">
        <span class={`flag flag-${activity.tone}`}>
          <span class="flag-dot" aria-hidden="true" />
          {activity.text}
        </span>
        {card.rotting && <span class="flag flag-rotting">Rotting</span>}
      </div>
    </article>
  );
}

// ---- Deal page: the title opens /deals/{id}. A press on it can still start a drag (board_drag.ts
// lets [data-card-link] through); only a click without movement opens the page.
let pressAt: { x: number; y: number } | null = null;
const kClickSlop = 5;

function DealLink({ id, title }: { id: number; title: string }) {
  const href = dealPath(id);
  return (
    <a
      href={href}
      class="card-link"
      data-card-link
      draggable={false}
      onPointerDown={(e) => {
        pressAt = { x: e.clientX, y: e.clientY };
      }}
      onClick={(e) => {
        const moved = pressAt !== null && e.detail > 0 && Math.hypot(e.clientX - pressAt.x, e.clientY - pressAt.y) >= kClickSlop;
        pressAt = null;
        if (moved || document.body.classList.contains('is-dragging')) {
          e.preventDefault();
          return;
        }
        if (isModifiedClick(e)) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {title}
    </a>
  );
}

/** Re-renders only when one of its props changes: a board holds hundreds of these. */
export class CardView extends Component<CardProps> {
  override shouldComponentUpdate(next: CardProps): boolean {
    const p = this.props;
    return p.card !== next.card || p.today !== next.today || p.onActions !== next.onActions || p.hidden !== next.hidden;
  }

  override render() {
    return renderCard(this.props);
  }
}
