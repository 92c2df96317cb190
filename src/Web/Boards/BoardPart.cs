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

    /// <summary>
    /// Whether the panel's form for a new entry is open. Closed, a panel is its entries and one button that
    /// opens the form (a disclosure: it stays in place and says whether the form is open), so the side column
    /// stays short and the team chat under it stays in view on a laptop.
    /// </summary>
    protected bool Adding { get; private set; }

    private bool _focusForm;

    /// <summary>Opens or closes the form; an opened form's first field takes focus after the render (<see cref="TakeFormFocus"/>).</summary>
    protected void ToggleAdding()
    {
        Adding = !Adding;
        _focusForm = Adding;
    }

    /// <summary>True once after the form opened: the panel then focuses its first field.</summary>
    protected bool TakeFormFocus()
    {
        var focus = _focusForm;
        _focusForm = false;
        return focus;
    }

    /// <summary>Runs <paramref name="command"/> and reports its error, if any; returns it too.</summary>
    protected async Task<HuddleError?> RunAsync(BoardCommand command)
    {
        var error = await Live.ExecuteAsync(command);
        await OnError(error);
        return error;
    }
}
