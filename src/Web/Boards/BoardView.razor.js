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
