// Sound and browser notifications for handoff pings. The text is always the PHI-free notice.
let audio;

// Browsers only let a page play sound after the user touched it: open the audio context on the first touch.
function unlock() {
    try {
        audio ??= new (window.AudioContext || window.webkitAudioContext)();
        if (audio.state === 'suspended') {
            audio.resume();
        }
    } catch {
        // No Web Audio here: pings stay silent, the toast still shows.
    }
}

document.addEventListener('pointerdown', unlock, { once: true, capture: true });
document.addEventListener('keydown', unlock, { once: true, capture: true });

export function permission() {
    return 'Notification' in window ? Notification.permission : 'unsupported';
}

export async function requestPermission() {
    unlock();
    return 'Notification' in window ? await Notification.requestPermission() : 'unsupported';
}

function tone() {
    unlock();
    if (!audio || audio.state !== 'running') {
        return;
    }

    // Two short rising beeps, ~0.4 s in all.
    const start = audio.currentTime;
    [[660, 0], [880, 0.18]].forEach(([frequency, offset]) => {
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, start + offset);
        gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.16);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(start + offset);
        oscillator.stop(start + offset + 0.18);
    });
}

export function ping(notice, url, handoffId) {
    tone();
    // The toast is in front of someone looking at Huddle; a notification is for when they are not.
    if ('Notification' in window && Notification.permission === 'granted' && (document.hidden || !document.hasFocus())) {
        const note = new Notification('Huddle', { body: notice, tag: `handoff-${handoffId}`, renotify: true });
        note.onclick = () => {
            window.focus();
            window.location.assign(url);
            note.close();
        };
    }
}
