using Azure.Data.Tables;
using Orleans.Storage;

namespace Huddle.Silo.Storage;

/// <summary>
/// Settings of Huddle's Azure Table grain storage (configuration section
/// <c>Huddle:Storage:AzureTable</c>; the connection string is <c>ConnectionStrings:HuddleStorage</c>).
/// See docs/operations.md, "Storage".
/// </summary>
public sealed class HuddleTableStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "Huddle:Storage:AzureTable";

    /// <summary>The default table name.</summary>
    public const string DefaultTableName = "HuddleGrainState";

    /// <summary>
    /// Storage account connection string: a real account, or Azurite's development account.
    /// Never logged.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The table holding one row per grain per state, and the grains' history pages beside them.
    /// Created at silo start when missing.
    /// </summary>
    public string TableName { get; set; } = DefaultTableName;

    /// <summary>
    /// True: clearing a grain's state deletes its row. False (default, as Orleans' own provider):
    /// the row is kept blank, so its ETag still guards the next write.
    /// </summary>
    public bool DeleteStateOnClear { get; set; }

    /// <summary>
    /// Longest one storage call may take, the SDK's retries included. Past it the call fails with
    /// <see cref="GrainStorageUnavailableException"/> rather than holding the grain turn.
    /// Kept under Orleans' 30 s grain call timeout so the caller sees the storage error, not a timeout.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Longest one HTTP attempt may wait for its answer (the SDK's default is 100 s).</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>How many times the SDK retries a call that failed on the network or with a 5xx/408/429.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry delay; later ones back off exponentially up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Longest delay between two retries.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Stage of the silo lifecycle where the table is created. It must come before grains activate.
    /// </summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;

    /// <summary>
    /// The serializer for grain state and history pages. Left unset, Orleans' configured
    /// <see cref="IGrainStorageSerializer"/> is used (one registered under the provider's name first,
    /// else the silo-wide default).
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;

    /// <summary>
    /// Last say on the SDK client options (e.g. a pipeline policy in tests, diagnostics). Runs
    /// after the retry settings above are applied.
    /// </summary>
    public Action<TableClientOptions>? ConfigureClient { get; set; }
}
