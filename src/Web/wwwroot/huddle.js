// Huddle's few browser helpers; Blazor calls them through IJSRuntime.
window.huddle = {
    // Focuses the element matching `selector` as soon as it is in the page (a moved card is rendered
    // anew in its lane once the board's change arrives), giving up after `timeoutMs`.
    focusWhenShown(selector, timeoutMs = 5000) {
        const deadline = performance.now() + timeoutMs;
        const attempt = () => {
            const element = document.querySelector(selector);
            if (element) {
                element.focus();
                element.scrollIntoView({ block: "nearest", inline: "nearest" });
            } else if (performance.now() < deadline) {
                requestAnimationFrame(attempt);
            }
        };
        attempt();
    },
};
