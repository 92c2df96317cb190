using Microsoft.AspNetCore.Components;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;

namespace Huddle.Web.Boards;

/// <summary>
/// What every piece of the board shares: the live board, whether it is on the shared screen, where
/// errors go, and how a piece runs a command.
/// </summary>
public abstract class BoardPart : ComponentBase
{
    [Parameter, EditorRequired]
    public LiveBoard Live { get; set; } = default!;

    [Parameter]
    public bool SharedScreen { get; set; }

    /// <summary>Shows a rejected command's error (the board view's snackbar).</summary>
    [Parameter]
    public Func<HuddleError?, Task> OnError { get; set; } = _ => Task.CompletedTask;

    /// <summary>
    /// Controls show only to members, never on the shared screen, and only once the circuit is live:
    /// a prerendered button does nothing, and a tap on it (a phone on a slow network) would be lost.
    /// </summary>
    protected bool Editable => Live.CanEdit && !SharedScreen && RendererInfo.IsInteractive;

    /// <summary>Runs <paramref name="command"/> and reports its error, if any; returns it too.</summary>
    protected async Task<HuddleError?> RunAsync(BoardCommand command)
    {
        var error = await Live.ExecuteAsync(command);
        await OnError(error);
        return error;
    }
}
