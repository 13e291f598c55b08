using System.Security.Claims;
using Tessera.Management;

namespace Tessera.Server.Identity;

/// <summary>
/// The principal of a verified token, carrying its <see cref="Management.Caller"/> as made once at verification: the
/// decision path reads the caller from <c>HttpContext.User</c> without looking claims up or allocating.
/// </summary>
internal sealed class CallerPrincipal(Caller caller, ClaimsIdentity identity) : ClaimsPrincipal(identity)
{
    public Caller Caller { get; } = caller;
}
