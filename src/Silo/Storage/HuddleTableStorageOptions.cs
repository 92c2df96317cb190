using Azure.Core;
using Azure.Data.Tables;

namespace Huddle.Silo.Storage;

/// <summary>
/// Settings of Huddle's Azure Table storage account (configuration section
/// <c>Huddle:Storage:AzureTable</c>; the connection string is <c>ConnectionStrings:HuddleStorage</c>).
/// One account holds grain state (Orleans' own provider), history pages, reminders and cluster
/// membership. See docs/operations.md, "Storage".
/// </summary>
public sealed class HuddleTableStorageOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "Huddle:Storage:AzureTable";

    /// <summary>
    /// Storage account connection string: a real account, or Azurite's development account.
    /// Never logged.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The table of grain state rows, written by Orleans' <c>AzureTableGrainStorage</c>.</summary>
    public string TableName { get; set; } = "HuddleGrainState";

    /// <summary>The table of grain history pages (one row a page; Orleans has no equivalent).</summary>
    public string HistoryTableName { get; set; } = "HuddleHistory";

    /// <summary>The table of Orleans reminders (durable profile).</summary>
    public string RemindersTableName { get; set; } = "HuddleReminders";

    /// <summary>The table of cluster membership (Huddle:Clustering:Provider=AzureTable).</summary>
    public string ClusteringTableName { get; set; } = "HuddleSilos";

    /// <summary>
    /// True: clearing a grain's state deletes its row. False (default): the row is kept blank, so its
    /// ETag still guards the next write (the provider silently skips a delete with a null ETag).
    /// </summary>
    public bool DeleteStateOnClear { get; set; }

    /// <summary>
    /// Longest one HTTP attempt may wait for its answer (the SDK's default is 100 s). With a client
    /// supplied, Orleans' provider has no deadline of its own: this and the retries below are the
    /// only bound on a storage call.
    /// </summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times the SDK retries a call that failed on the network or with a 5xx/408/429.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>First retry delay; later ones back off exponentially up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Longest delay between two retries.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Last say on the SDK client options (e.g. a pipeline policy in tests, diagnostics). Runs
    /// after the retry settings above are applied.
    /// </summary>
    public Action<TableClientOptions>? ConfigureClient { get; set; }

    /// <summary>
    /// The longest a storage call can take before it fails: every attempt waiting its full network
    /// timeout, with the longest backoff between attempts. Kept under Orleans' 30 s grain call
    /// timeout, so the caller sees <c>unavailable</c>, not a timeout.
    /// </summary>
    public TimeSpan WorstCaseCall =>
        (NetworkTimeout * (MaxRetries + 1)) + (MaxRetryDelay * MaxRetries);

    /// <summary>The one client every Huddle table goes through, with the bounded retry settings above.</summary>
    public TableServiceClient CreateServiceClient()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new InvalidOperationException("Azure Table storage needs a connection string (ConnectionStrings:HuddleStorage).");
        }

        var client = new TableClientOptions();
        client.Retry.Mode = RetryMode.Exponential;
        client.Retry.MaxRetries = MaxRetries;
        client.Retry.Delay = RetryDelay;
        client.Retry.MaxDelay = MaxRetryDelay;
        client.Retry.NetworkTimeout = NetworkTimeout;
        ConfigureClient?.Invoke(client);
        return new TableServiceClient(ConnectionString, client);
    }
}
