
using Huddle.Contracts.Common;

namespace Huddle.Web.Http;

/// <summary>Maps Huddle error codes to HTTP problem responses (docs/api.md, "Errors").</summary>
public static class ApiErrors
{
    public static int StatusOf(string code) => code switch
    {
        ErrorCodes.NotFound => StatusCodes.Status404NotFound,
        ErrorCodes.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorCodes.Forbidden => StatusCodes.Status403Forbidden,
        ErrorCodes.ValidationFailed => StatusCodes.Status400BadRequest,
        ErrorCodes.VersionConflict => StatusCodes.Status409Conflict,
        ErrorCodes.InvalidState => StatusCodes.Status409Conflict,
        Contracts.Handoffs.HandoffErrors.AlreadyAccepted => StatusCodes.Status409Conflict,
        Contracts.Handoffs.HandoffErrors.IllegalTransition => StatusCodes.Status409Conflict,
        ErrorCodes.LimitExceeded => StatusCodes.Status422UnprocessableEntity,
        ErrorCodes.OpIdReused => StatusCodes.Status422UnprocessableEntity,
        Contracts.Handoffs.HandoffErrors.PatientNotOnTeam => StatusCodes.Status422UnprocessableEntity,
        ErrorCodes.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorCodes.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCodes.Internal => StatusCodes.Status500InternalServerError,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The code for a framework-made problem with <paramref name="status"/>.</summary>
    public static string CodeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ErrorCodes.ValidationFailed,
        StatusCodes.Status401Unauthorized => ErrorCodes.Unauthorized,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status409Conflict => ErrorCodes.InvalidState,
        StatusCodes.Status429TooManyRequests => ErrorCodes.RateLimited,
        StatusCodes.Status503ServiceUnavailable => ErrorCodes.Unavailable,
        >= 500 => "internal_error",
        _ => "bad_request",
    };

    /// <summary>200 with <paramref name="body"/> of the value, or the error as a problem.</summary>
    public static IResult From<T, TBody>(Result<T> result, Func<T, TBody> body)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(body);
        return result.Error is { } error ? Problem(error) : Results.Ok(body(result.Value!));
    }

    /// <summary>
    /// 200 with the whole result (<c>ok</c>, the value's fields, <c>error</c>: the hub's shape), or the
    /// error as a problem: for replies that have a hub twin, so one kind of reply has one shape.
    /// </summary>
    public static IResult Reply<T>(Result<T> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Error is { } error ? Problem(error) : Results.Ok(result);
    }

    /// <summary>An RFC 9457 problem with the stable <c>code</c> as an extension member.</summary>
    public static IResult Problem(HuddleError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Results.Problem(
            detail: error.Message,
            statusCode: StatusOf(error.Code),
            title: error.Code,
            extensions: new Dictionary<string, object?> { ["code"] = error.Code });
    }
}
