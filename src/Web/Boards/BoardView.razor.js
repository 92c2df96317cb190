// Keeps a keyboard user's focus on the card they just moved from its menu.

// Focuses the menu button of card `cardId` once the page shows it at `index` in lane `laneId`, giving
// up after `timeoutMs`. Waiting for the place, not just the card, matters within a lane: the card is
// on the page all along, first where it was (until the board's change arrives and the drop container
// refreshes), and the element that held focus may by then show the card that took its old place.
export function focusCardWhenAt(laneId, cardId, index, timeoutMs = 5000) {
    const deadline = performance.now() + timeoutMs;
    const lane = `[data-testid=lane][data-lane-id="${CSS.escape(laneId)}"] [data-testid=card]`;
    const attempt = () => {
        const card = document.querySelectorAll(lane)[index];
        const button = card?.dataset.cardId === cardId ? card.querySelector('[data-testid=card-menu] button') : null;
        if (button) {
            button.focus();
            button.scrollIntoView({ block: 'nearest', inline: 'nearest' });
        } else if (performance.now() < deadline) {
            requestAnimationFrame(attempt);
        }
    };
    attempt();
}

// On the wall (a TV nobody scrolls), writes "+N more" under each lane whose cards the screen cuts
// off, N being the cards not wholly visible. Recounts on any change to the board (cards added or
// moved, a lane's cue itself taking room) and on a resize, at most once a frame. Only the cue's own
// text and data-count are written: Blazor renders the cue empty and never puts anything in it.
export function watchLaneOverflow(board) {
    let frame = 0;
    const update = () => {
        frame = 0;
        for (const lane of board.querySelectorAll('[data-testid=lane]')) {
            const zone = lane.querySelector('.lane__cards');
            const cue = lane.querySelector('[data-testid=lane-more]');
            if (!zone || !cue) {
                continue;
            }

            const bottom = zone.getBoundingClientRect().bottom + 0.5;
            const hidden = [...zone.querySelectorAll('[data-testid=card]')].filter(card => card.getBoundingClientRect().bottom > bottom).length;
            const text = hidden > 0 ? `+${hidden} more` : '';
            if (cue.textContent !== text) {
                cue.textContent = text;
                cue.dataset.count = String(hidden);
            }
        }
    };
    const schedule = () => { frame ||= requestAnimationFrame(update); };
    const resized = new ResizeObserver(schedule);
    resized.observe(board);
    const changed = new MutationObserver(schedule);
    changed.observe(board, { childList: true, subtree: true, characterData: true });
    window.addEventListener('resize', schedule);
    update();
    return {
        dispose() {
            resized.disconnect();
            changed.disconnect();
            window.removeEventListener('resize', schedule);
            cancelAnimationFrame(frame);
        },
    };
}
