namespace Huddle.Storage.Tests.Infrastructure;

/// <summary>A small state of the shape grains persist.</summary>
[GenerateSerializer, Alias("huddle.tests.note-state")]
public sealed class NoteState
{
    [Id(0)]
    public string Text { get; set; } = "";

    [Id(1)]
    public int Count { get; set; }

    [Id(2)]
    public List<string> Items { get; set; } = [];
}

/// <summary>An entry of a paged history.</summary>
[GenerateSerializer, Immutable, Alias("huddle.tests.history-entry")]
public sealed record HistoryEntry([property: Id(0)] long Seq, [property: Id(1)] string What);

/// <summary>What Orleans' state bridge hands a storage provider: the state, its ETag and whether a record exists.</summary>
public sealed class TestGrainState<T> : IGrainState<T>
    where T : new()
{
    public TestGrainState()
    {
    }

    public TestGrainState(T state) => State = state;

    public T State { get; set; } = new();

    // Orleans lets a provider set null; a fresh state stands in, as Orleans' activators would give.
    T? IGrainState<T>.State
    {
        get => State;
        set => State = value ?? new T();
    }

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }
}
