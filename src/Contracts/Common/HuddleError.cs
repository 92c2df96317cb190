namespace Huddle.Contracts.Common;

/// <summary>
/// Stable, documented error codes returned by every Huddle operation (see docs/api.md).
/// They are strings on the wire so clients in any language can switch on them.
/// </summary>
public static class ErrorCodes
{
    /// <summary>An id (team, card, lane, item, note, patient, member) does not exist.</summary>
    public const string NotFound = "not_found";

    /// <summary>No sign-in (no token, an expired one, a browser cookie where a bearer token is needed), or no dev token on the dev API.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>The caller may not read or change this resource.</summary>
    public const string Forbidden = "forbidden";

    /// <summary>The request is malformed: empty or oversized text, out-of-range value.</summary>
    public const string ValidationFailed = "validation_failed";

    /// <summary>The caller's expected version is stale; re-fetch and retry.</summary>
    public const string VersionConflict = "version_conflict";

    /// <summary>The operation is not allowed in the current state (e.g. huddle already ended).</summary>
    public const string InvalidState = "invalid_state";

    /// <summary>A board limit (lanes, cards, items) would be exceeded.</summary>
    public const string LimitExceeded = "limit_exceeded";

    /// <summary>
    /// The op id was already used by this caller for another operation or other arguments: nothing was
    /// applied (returning the first result would silently drop this write). Use a new op id.
    /// </summary>
    public const string OpIdReused = "op_id_reused";

    /// <summary>
    /// The service could not reach a grain or storage did not confirm the write. Memory is never ahead
    /// of storage, but a write whose reply was lost may have landed: retry with the same op id.
    /// </summary>
    public const string Unavailable = "unavailable";

    /// <summary>
    /// Too many calls from this connection or this user in a short time: nothing was done. The message
    /// says when to try again; other users and connections are not affected (docs/security.md, "Rate limits").
    /// </summary>
    public const string RateLimited = "rate_limited";

    /// <summary>A fault in Huddle itself (a bug): logged with the trace id the message gives; retrying will not help.</summary>
    public const string Internal = "internal_error";
}

/// <summary>A rejected operation: a stable <see cref="Code"/> from <see cref="ErrorCodes"/> and a human-readable message.</summary>
[GenerateSerializer, Immutable, Alias("huddle.error")]
public sealed record HuddleError(
    [property: Id(0)] string Code,
    [property: Id(1)] string Message)
{
    public static HuddleError NotFound(string what, string id) => new(ErrorCodes.NotFound, $"{what} '{id}' was not found.");
    public static HuddleError Forbidden(string message) => new(ErrorCodes.Forbidden, message);
    public static HuddleError Invalid(string message) => new(ErrorCodes.ValidationFailed, message);

    /// <summary>A malformed id, e.g. <c>InvalidId("A team id")</c>: the one message for every kind of id (<see cref="Ids"/>).</summary>
    public static HuddleError InvalidId(string what) => Invalid($"{what} is 1-{Ids.MaxLength} letters, digits, '-', '_' or '.'.");
    public static HuddleError State(string message) => new(ErrorCodes.InvalidState, message);
    public static HuddleError Limit(string message) => new(ErrorCodes.LimitExceeded, message);

    /// <summary>A call refused by a rate limit; <paramref name="retryAfter"/> is when one more is allowed.</summary>
    public static HuddleError RateLimited(string who, int perMinute, TimeSpan retryAfter) =>
        new(ErrorCodes.RateLimited, $"Too many calls from {who}: at most {perMinute} a minute. Nothing was done; try again in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))} s.");

    /// <summary><paramref name="opId"/> was used before for <paramref name="earlierOp"/> with other arguments, or for another operation.</summary>
    public static HuddleError OpIdReused(string opId, string earlierOp) =>
        new(ErrorCodes.OpIdReused, $"opId '{opId}' was already used for a different '{earlierOp}'; use a new id for a new operation.");
    public static HuddleError Conflict(long expected, long actual) =>
        new(ErrorCodes.VersionConflict, $"Expected version {expected} but the board is at version {actual}; re-fetch and retry.");
}
