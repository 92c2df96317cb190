namespace Huddle.Contracts.Common;

/// <summary>
/// The one value-or-error shape of every Huddle operation: grain calls, hub methods and HTTP
/// endpoints. On the wire (docs/api.md) it is one JSON object: <c>ok</c>, the value's own fields
/// side by side, and <c>error</c> (<c>{code, message}</c> or null).
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.result`1")]
public sealed record Result<T>(
    [property: Id(0)] T? Value,
    [property: Id(1)] HuddleError? Error) : IResultError
{
    /// <summary>True when the operation succeeded and <see cref="Value"/> is set.</summary>
    public bool Ok => Error is null;

    /// <summary>A success.</summary>
    public static Result<T> Success(T value) => new(value, null);

    /// <summary>A failure; nothing was changed.</summary>
    public static Result<T> Failure(HuddleError error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));

    public static implicit operator Result<T>(T value) => Success(value);

    public static implicit operator Result<T>(HuddleError error) => Failure(error);

    /// <summary>The same error as another result type, or <paramref name="map"/> of the value.</summary>
    public Result<TOut> Map<TOut>(Func<T, TOut> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Error is { } error ? Result<TOut>.Failure(error) : Result<TOut>.Success(map(Value!));
    }
}

/// <summary>The error of any <see cref="Result{T}"/>, whatever its value type (for the silo's audit of every call).</summary>
public interface IResultError
{
    HuddleError? Error { get; }
}
