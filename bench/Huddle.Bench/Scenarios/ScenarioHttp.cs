using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Huddle.Bench.Load;

namespace Huddle.Bench.Scenarios;

/// <summary>What the round-based scenarios (revoke, push) share: a bearer-token request, and a spread as JSON.</summary>
internal static class ScenarioHttp
{
    /// <summary>Sends <paramref name="body"/> (JSON, or none) to <paramref name="path"/> with <paramref name="token"/>.</summary>
    public static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token, object? body, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        request.Headers.Authorization = new("Bearer", token);
        return http.SendAsync(request, ct);
    }

    /// <summary>A spread's median, min and max, rounded for the summary.</summary>
    public static JsonObject Json(Spread s) => new()
    {
        ["median"] = Math.Round(s.Median, 2),
        ["min"] = Math.Round(s.Min, 2),
        ["max"] = Math.Round(s.Max, 2),
    };
}
