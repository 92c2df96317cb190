using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Huddle.Web.Chat;

/// <summary>
/// Reports which messages of its chat panel were shown on screen (an <c>IntersectionObserver</c> in the
/// browser: at least half of a message inside the view, the tab visible), so "read" means seen, not
/// merely received. Calls <see cref="OnShown"/> with the newest seq shown, a few times a second at most.
/// </summary>
public sealed partial class ChatReadTracker : IAsyncDisposable
{
    private DotNetObjectReference<ChatReadTracker>? _self;
    private IJSObjectReference? _module;
    private IJSObjectReference? _watch;
    private bool _disposed;

    /// <summary>The panel's thread.</summary>
    [Parameter, EditorRequired]
    public string ThreadId { get; set; } = "";

    /// <summary>Called with the newest seq shown on screen.</summary>
    [Parameter, EditorRequired]
    public Func<long, Task> OnShown { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    private ElementReference _marker;

    /// <summary>Called by the browser: messages up to <paramref name="seq"/> were shown.</summary>
    [JSInvokable]
    public Task Shown(long seq) => _disposed ? Task.CompletedTask : OnShown(seq);

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        try
        {
            _self = DotNetObjectReference.Create(this);
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./Chat/ChatReadTracker.razor.js");
            _watch = await _module.InvokeAsync<IJSObjectReference?>("watch", _marker, _self);
        }
        catch (JSDisconnectedException)
        {
            // The circuit went away while the panel opened: nothing to watch.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        try
        {
            if (_watch is not null)
            {
                await _watch.InvokeVoidAsync("dispose");
                await _watch.DisposeAsync();
            }

            if (_module is not null)
            {
                await _module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
            // The browser is gone: its observers went with it.
        }

        _self?.Dispose();
    }
}
