using System.Net;
using System.Text.RegularExpressions;
using Huddle.Testing;
using Huddle.Web.Security;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Huddle.Web.Tests;

/// <summary>
/// The headers a security review checks on every response (docs/security.md, "Security headers"): the
/// Content Security Policy with a fresh script nonce per page, framing refused unless configured,
/// nosniff, no referrer, no caching of pages and API answers; static files keep their caching.
/// </summary>
public sealed partial class SecurityHeadersTests(HuddleAppFixture app)
{
    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{response.RequestMessage?.RequestUri} answered without {name}.");

    private static void AssertHardened(HttpResponseMessage response)
    {
        var policy = Header(response, "Content-Security-Policy");
        foreach (var directive in new[]
                 {
                     "default-src 'self'", "style-src 'self' 'unsafe-inline'", "connect-src 'self'", "object-src 'none'",
                     "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
                 })
        {
            Assert.Contains(directive, policy, StringComparison.Ordinal);
        }

        // Scripts: Huddle's own files and the nonce, never inline or eval.
        Assert.Matches("script-src 'self' 'nonce-[A-Za-z0-9_-]{24}';", policy);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Contains("camera=()", Header(response, "Permissions-Policy"), StringComparison.Ordinal);
        Assert.Equal("same-origin", Header(response, "Cross-Origin-Opener-Policy"));
    }

    [Fact]
    public async Task Pages_api_answers_refusals_and_static_files_carry_the_headers_and_patient_data_is_not_cached()
    {
        var team = await app.CreateTeamAsync();
        using var anonymous = app.Http();
        using var pcp = await app.HttpAsAsync(team.Pcp);

        using var page = await anonymous.GetAsync("signin");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        AssertHardened(page);
        Assert.Contains("no-store", Header(page, "Cache-Control"), StringComparison.Ordinal);
        // The page's import map carries the policy's nonce; the next page gets another.
        var nonce = NonceIn().Match(Header(page, "Content-Security-Policy")).Groups[1].Value;
        Assert.Contains($"<script type=\"importmap\" nonce=\"{nonce}\">", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var again = await anonymous.GetAsync("signin");
        Assert.NotEqual(nonce, NonceIn().Match(Header(again, "Content-Security-Policy")).Groups[1].Value);

        using var board = await pcp.GetAsync($"api/teams/{team.TeamId}/board");
        Assert.Equal(HttpStatusCode.OK, board.StatusCode);
        AssertHardened(board);
        Assert.Equal("no-store", Header(board, "Cache-Control"));

        foreach (var (refused, status) in new[]
                 {
                     (await anonymous.GetAsync($"api/teams/{team.TeamId}/board"), HttpStatusCode.Unauthorized),
                     (await pcp.GetAsync("api/no-such-thing"), HttpStatusCode.NotFound),
                 })
        {
            using (refused)
            {
                Assert.Equal(status, refused.StatusCode);
                AssertHardened(refused);
            }
        }

        using var css = await anonymous.GetAsync("app.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("nosniff", Header(css, "X-Content-Type-Options"));
        Assert.DoesNotContain("no-store", css.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public void A_frame_ancestor_that_is_not_an_origin_stops_the_start_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => HuddleApp.Build(["--environment", "Development"], builder =>
            builder.Configuration["Huddle:Security:FrameAncestors:0"] = "https://ehr.example.org/portal/*"));
        Assert.Contains(SecurityHeaders.FrameAncestorsKey, error.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex("'nonce-([^']+)'")]
    internal static partial Regex NonceIn();
}

/// <summary>The production configuration: an EHR allowed to frame Huddle, and no detailed errors anywhere.</summary>
public sealed class ProductionHeadersTests(HuddleProductionAppFixture app) : IClassFixture<HuddleProductionAppFixture>
{
    [Fact]
    public async Task A_configured_ehr_may_frame_huddle_and_no_one_else()
    {
        using var http = app.Http();
        using var page = await http.GetAsync("signin");
        var policy = string.Join(", ", page.Headers.GetValues("Content-Security-Policy"));
        Assert.EndsWith($"frame-ancestors {HuddleProductionAppFixture.EhrOrigin}", policy, StringComparison.Ordinal);
        // X-Frame-Options cannot name an origin: with a frame ancestor configured it is left out, not DENY.
        Assert.False(page.Headers.Contains("X-Frame-Options"));
    }

    [Fact]
    public void Outside_development_neither_hub_nor_circuit_sends_exception_details_to_a_client()
    {
        Assert.NotEqual(true, app.App.Services.GetRequiredService<IOptions<HubOptions>>().Value.EnableDetailedErrors);
        Assert.False(app.App.Services.GetRequiredService<IOptions<CircuitOptions>>().Value.DetailedErrors);
    }
}
