namespace Huddle.Web.Auth;

/// <summary>
/// Where a page that is signing its person out is going (one per circuit). Signing out sets the page's
/// user to nobody, which makes the router's "not authorized" branch navigate to the sign-in page too;
/// two navigations at once race in the browser and the later wins (seen: an idle sign-out landing on
/// <c>/signin?returnUrl=…</c> instead of <c>/signin?idle=1</c>). With a target here, that branch goes to
/// the same place.
/// </summary>
public sealed class CircuitSignOut
{
    /// <summary>The address the sign-out navigates to, or null while nobody is signing out.</summary>
    public string? Target { get; set; }
}
