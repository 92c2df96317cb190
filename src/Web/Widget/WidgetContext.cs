using Huddle.Contracts.Common;
using System.Globalization;
using Huddle.Contracts.Smart;
using Huddle.Web.Smart;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Huddle.Web.Widget;

/// <summary>
/// The widget session of this circuit, read once from its grain (the circuit's identity names it):
/// the layout takes the EHR's colours from it, the page the patient and the teams.
/// </summary>
public sealed class WidgetContext(AuthenticationStateProvider authentication, IGrainFactory grains, SmartSettings settings)
{
    private Task<WidgetSession?>? _session;

    /// <summary>The session, or null when this circuit has none (no handle, an ended or expired one, or another tenant's address).</summary>
    public Task<WidgetSession?> SessionAsync(string tenantId) => _session ??= LoadAsync(tenantId);

    private async Task<WidgetSession?> LoadAsync(string tenantId)
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (WidgetAuthentication.SessionOf(user) is not { } key
            || await grains.Grain<IWidgetSessionGrain>(key).GetAsync() is not { } session)
        {
            return null;
        }

        // The address's tenant framed the page (its frame-ancestors): it must be the session's.
        return settings.TenantById(tenantId) is { } tenant && tenant.Key == session.Iss ? session : null;
    }

    /// <summary>
    /// Huddle's theme in the EHR's colours (SMART <c>smart_style_url</c>), each taken only where it keeps
    /// WCAG AA contrast with what it carries: the highlight as the primary fill (white text on it), the
    /// background and text as the page's. Anything else stays Huddle's.
    /// </summary>
    public static MudTheme ThemeFor(WidgetStyle? style)
    {
        var theme = Layout.HuddleTheme.Theme;
        if (style is null)
        {
            return theme;
        }

        var light = new PaletteLight
        {
            Primary = theme.PaletteLight.Primary,
            Secondary = theme.PaletteLight.Secondary,
            Warning = theme.PaletteLight.Warning,
            Error = theme.PaletteLight.Error,
            Success = theme.PaletteLight.Success,
            Info = theme.PaletteLight.Info,
            AppbarBackground = theme.PaletteLight.AppbarBackground,
        };
        var background = Luminance(style.Background) is { } b && b > 0.8 ? style.Background! : null;
        var backgroundLuminance = Luminance(background) ?? 1.0;
        if (background is not null)
        {
            light.Background = background;
            // MudBlazor's secondary text (labels, helper text) is 4.4:1 on a light grey: a darker grey
            // keeps 4.5:1 on any background this light.
            light.TextSecondary = "#5c5f62";
        }

        if (Luminance(style.Text) is { } t && Contrast(t, backgroundLuminance) >= 4.5 && Contrast(t, 1.0) >= 4.5)
        {
            light.TextPrimary = style.Text!;
        }

        if (Luminance(style.Highlight) is { } h && Contrast(h, 1.0) >= 4.5 && Contrast(h, backgroundLuminance) >= 3)
        {
            light.Primary = style.Highlight!;
            light.AppbarBackground = style.Highlight!;
        }

        if (Luminance(style.Error) is { } e && Contrast(e, 1.0) >= 4.5)
        {
            light.Error = style.Error!;
        }

        return new MudTheme { PaletteLight = light, PaletteDark = theme.PaletteDark, Typography = theme.Typography, LayoutProperties = theme.LayoutProperties };
    }

    private static double Contrast(double a, double b) => (Math.Max(a, b) + 0.05) / (Math.Min(a, b) + 0.05);

    /// <summary>WCAG relative luminance of a #rgb or #rrggbb colour; null for anything else.</summary>
    private static double? Luminance(string? colour)
    {
        if (colour is null || colour[0] != '#' || (colour.Length != 4 && colour.Length != 7))
        {
            return null;
        }

        var hex = colour.Length == 4 ? string.Concat(colour[1..].Select(c => $"{c}{c}")) : colour[1..];
        if (!int.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var rgb))
        {
            return null;
        }

        static double Channel(int value)
        {
            var c = value / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        return (0.2126 * Channel((rgb >> 16) & 0xff)) + (0.7152 * Channel((rgb >> 8) & 0xff)) + (0.0722 * Channel(rgb & 0xff));
    }
}
