using Huddle.Grains.Common;

namespace Huddle.Silo.Storage;

// Storage exceptions derive from OrleansException so Orleans' state bridge passes them through to the
// grain and its caller as they are, instead of wrapping them; [GenerateSerializer] lets them cross
// to a client.

/// <summary>A grain storage call failed for a reason Huddle's storage layer recognised.</summary>
[GenerateSerializer, Alias("huddle.storage-exception")]
public class HuddleStorageException : OrleansException
{
    public HuddleStorageException()
    {
    }

    public HuddleStorageException(string message)
        : base(message)
    {
    }

    public HuddleStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// What was to be stored does not fit one storage row (Orleans' Azure Table provider: 983,040 bytes
/// of serialized state; a history page: the same). Nothing was written: state is never truncated.
/// </summary>
[GenerateSerializer, Alias("huddle.storage-limit-exceeded")]
public sealed class StorageLimitExceededException : HuddleStorageException
{
    public StorageLimitExceededException()
    {
    }

    public StorageLimitExceededException(string message)
        : base(message)
    {
    }

    public StorageLimitExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one limit, with the numbers in the message.</summary>
    public StorageLimitExceededException(string limit, long actual, long maximum)
        : base($"Grain storage limit exceeded: {limit} is {actual} but at most {maximum} fits in one storage row. Nothing was written. Keep older history in pages of its own (IGrainHistoryStore).")
    {
        Limit = limit;
        Actual = actual;
        Maximum = maximum;
    }

    /// <summary>Which limit was passed, e.g. "state size (bytes)".</summary>
    [Id(0)]
    public string? Limit { get; private set; }

    /// <summary>The size that was asked for.</summary>
    [Id(1)]
    public long Actual { get; private set; }

    /// <summary>The most that fits.</summary>
    [Id(2)]
    public long Maximum { get; private set; }
}

/// <summary>
/// Table storage could not be reached or did not answer in time, after the SDK's retries. The
/// outcome of a write is unknown to the caller; the next call retries against storage afresh.
/// </summary>
[GenerateSerializer, Alias("huddle.storage-unavailable")]
public sealed class GrainStorageUnavailableException : HuddleStorageException
{
    public GrainStorageUnavailableException()
    {
    }

    public GrainStorageUnavailableException(string message)
        : base(message)
    {
    }

    public GrainStorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
