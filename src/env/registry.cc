#include "env/embedded/embedded_provider.h"
#include "env/existing_provider.h"
#include "env/provider.h"
#ifdef BAKEOFF_HAS_PROVIDER_local
#include "env/local/local_provider.h"
#endif

namespace bakeoff {

std::vector<Provider*> AllProviders() {
  // One line per provider.
  return {
      GetEmbeddedProvider(),
      GetExistingProvider(),
#ifdef BAKEOFF_HAS_PROVIDER_local
      GetLocalProvider(),
#endif
  };
}

Provider* FindProvider(const std::string& name) {
  for (Provider* p : AllProviders()) {
    if (p->name() == name) return p;
  }
  return nullptr;
}

}  // namespace bakeoff
