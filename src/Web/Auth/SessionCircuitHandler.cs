using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Huddle.Web.Auth;

/// <summary>
/// Tracks each Blazor circuit in <see cref="SessionRegistry"/>: a provider sign-out sets the circuit's
/// user to nobody, so every page shows nothing of patients and sends the browser to sign in, where the
/// cookie is refused too.
/// </summary>
public sealed class SessionCircuitHandler(SessionRegistry sessions, AuthenticationStateProvider authentication, NavigationManager navigation, CircuitSignOut signOut, ILogger<SessionCircuitHandler> logger) : CircuitHandler, IDisposable
{
    private IDisposable? _tracked;

    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        _tracked = sessions.Track(user, () =>
        {
            // Nobody is signed in on this circuit any more: components that read the state show nothing.
            signOut.Target = "/signin?signedout=1";
            (authentication as IHostEnvironmentAuthenticationStateProvider)?.SetAuthenticationState(
                Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity()))));
            // And the browser leaves the page for the sign-in page, which ends this circuit.
            try
            {
                navigation.NavigateTo("/signin?signedout=1", forceLoad: true);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogWarning("Could not send a signed-out circuit to sign-in ({Failure})", ex.GetType().Name);
            }
        });
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        _tracked?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _tracked?.Dispose();
}
