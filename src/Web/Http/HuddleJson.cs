using System.Text.Json;
using System.Text.Json.Serialization;

namespace Huddle.Web.Http;

/// <summary>One JSON shape for HTTP and SignalR: camelCase names, enums as camelCase strings, strict input.</summary>
public static class HuddleJson
{
    /// <summary>Options for reading and writing Huddle's wire types outside ASP.NET (tests, tools).</summary>
    public static readonly JsonSerializerOptions Options = Create();

    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // Names are exactly as documented: "Title" is not "title".
        options.PropertyNameCaseInsensitive = false;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        // A request that leaves out a required field or sends null for a non-null one is rejected,
        // rather than silently becoming an empty value.
        options.RespectRequiredConstructorParameters = true;
        options.RespectNullableAnnotations = true;
        // A misspelt field is an error, not a silently ignored one.
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.Converters.Add(new ResultJsonConverter());
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }
}
