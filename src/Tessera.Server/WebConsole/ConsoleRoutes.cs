using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace Tessera.Server.WebConsole;

/// <summary>
/// Puts every console page under <c>/console</c>, its own route being the rest of its path, in lower case. (Only the
/// templates: ASP.NET Core's LowercaseUrls would lower the ids in a link too, and ids are case-sensitive.)
/// </summary>
internal sealed class ConsoleRoutes : IPageRouteModelConvention
{
    public void Apply(PageRouteModel model)
    {
        foreach (var selector in model.Selectors)
        {
            var template = AttributeRouteModel.CombineTemplates(ConsoleSetup.Root[1..], selector.AttributeRouteModel!.Template);
            selector.AttributeRouteModel.Template = template?.ToLowerInvariant();
        }
    }
}
