using Huddle.Grains.CareTeams;
using Huddle.Grains.Patients;
using Huddle.Grains.Users;

namespace Huddle.Grains.Common;

/// <summary>Grain storage provider and state names, in one place so silo and grains agree.</summary>
public static class StorageNames
{
    /// <summary>The provider that holds every Huddle grain's state (memory or Azure Table, by configuration).</summary>
    public const string Huddle = "huddle";

    public const string CareTeamState = "team";
    public const string PatientState = "patient";
    public const string UserState = "user";
    public const string PanelState = "panel";
    public const string HandoffState = "handoff";
    public const string InboxState = "inbox";
    public const string TeamHandoffsState = "team-handoffs";
    public const string PresenceState = "presence";
    public const string ThreadState = "thread";
    public const string ThreadListState = "thread-list";
    public const string SessionEndState = "session-end";
    public const string BrowserSignOutState = "browser-sign-out";
    public const string AuditLogState = "audit-log";
    public const string EmergencyAccessState = "emergency-access";
    public const string TeamDirectoryState = "team-directory";
    public const string PushDevicesState = "push-devices";
    public const string PushKeysState = "push-keys";
    public const string WidgetSessionState = "widget-session";
}
