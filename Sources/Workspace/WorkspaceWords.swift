import Ledger
import Reports
import LedgerTeam

/// Every word of the workspace in English and Spanish, by key; the templates read them as
/// `{{w.key}}`. One table, so a missing translation is a missing key a test finds.
enum WorkspaceWords {
    static func table(_ language: ReportLanguage) -> [String: String] {
        language == .es ? spanish : english
    }

    static let english: [String: String] = [
        "workspace": "Team workspace", "skip": "Skip to content", "nav": "Workspace",
        "home": "What needs attention", "demands": "Demands", "commitments": "Commitments", "actors": "Actors",
        "new": "Log something", "signOut": "Sign out", "signedInAs": "Signed in as", "publicSite": "Public site",
        "signIn": "Sign in", "name": "Name", "password": "Password", "signInIntro": "The coalition's policy team signs in here. Ask an admin for a set-up link if you have no password yet.",
        "badSignIn": "That name and password do not match an active account.",
        "throttled": "Too many failed sign-ins. Wait 15 minutes and try again.",
        "setupTitle": "Choose your password", "setupIntro": "Choose a password of at least 12 characters. You will sign in with your name and this password.",
        "newPassword": "New password", "repeatPassword": "The same password again", "savePassword": "Save and sign in",
        "setupExpired": "This set-up link is not valid: it was used, it expired (links last 24 hours) or it was replaced. Ask an admin for a new one.",
        "overdue": "Overdue commitments", "dueSoon": "Due in the next 30 days", "claimedOnly": "Claimed, not verified, for more than 30 days",
        "noResponse": "Demands with no response", "latest": "Latest entries by the team", "nothingHere": "Nothing here.",
        "logFollowup": "Log a follow-up", "changeStatus": "Change the status", "recordCommitment": "Record a commitment",
        "verifyIt": "Record a verified status", "correct": "Correct", "retract": "Retract",
        "daysOverdue": "overdue by", "dueOn": "due", "claimedOn": "claimed on", "since": "since",
        "search": "Search", "searchHelp": "Words in titles, summaries and notes, in English or Spanish",
        "filter": "Filter", "clear": "Clear", "any": "Any", "status": "Status", "basis": "Basis", "actor": "Actor",
        "country": "Country", "kind": "Kind", "overdueOnly": "Only overdue", "visibility": "Visibility",
        "public": "Public", "internal": "Internal", "results": "shown", "id": "Id", "due": "Due",
        "publicHelp": "on the status page, feeds and reports, for everyone.", "internalHelp": "only the team sees it.",
        "visibilityLegend": "Who may see this entry?",
        "newActor": "Register an actor", "newDemand": "Record a demand", "newCommitment": "Record a commitment",
        "newStatus": "Change a commitment's status", "newFollowup": "Log a follow-up", "newCorrection": "Correct an entry",
        "newRetraction": "Retract an entry",
        "subjectNew": "Id (lowercase letters, digits and hyphens, e.g. cndh-rec-juarez; never reused)",
        "subjectCommitment": "Commitment", "subjectAbout": "Demand or commitment", "effective": "Date it happened",
        "targetSeq": "Entry to amend", "chooseEntry": "Choose the entry", "choose": "Choose", "reason": "Reason",
        "sourcesHelp": "One link per line (http or https)", "optional": "optional", "required": "required",
        "english": "English", "spanish": "Spanish",
        "review": "Review before recording", "reviewIntro": "The ledger never forgets: check the entry exactly as it will be written. Recording it cannot be undone; a mistake is fixed later with a correction, which stays visible.",
        "record": "Record it", "edit": "Change it", "author": "Author", "type": "Entry", "subject": "Subject",
        "before": "Before", "after": "After", "changes": "What changes",
        "errorsTitle": "The entry was not recorded. Fix what is marked:", "fixBelow": "see the field",
        "written": "Recorded", "writtenIntro": "The entry is in the ledger.", "seq": "Seq", "recordedAt": "Recorded at",
        "receipt": "Its receipt (a signed proof anyone can check)", "noReceipt": "Internal entries have no public receipt.",
        "receiptLater": "A receipt is available once the server signs a checkpoint covering it.",
        "logAnother": "Log something else", "forbidden": "Your role lets you read, not write. Ask an admin if you need to log entries.",
        "notFound": "Not found", "notFoundText": "There is nothing at this address in the workspace.",
        "expired": "Your session ended. Sign in again.", "csrf": "The form had expired or came from elsewhere; nothing was recorded. Try again.",
        "none": "none", "retracted": "retracted", "corrected": "corrected", "entries": "Entries",
        "phoneHint": "", "footer": "Everything recorded here is kept in the append-only, hash-chained ledger.",
        "people": "People and tokens", "team": "The team", "role": "Role", "email": "E-mail", "state": "State",
        "stateActive": "active", "stateWaiting": "waiting for set-up", "stateDisabled": "disabled",
        "addPerson": "Add a person", "add": "Add", "disable": "Disable", "reset": "New set-up link",
        "tokens": "API tokens", "tokenName": "Who or what uses it (becomes the author of what it writes)", "createToken": "Create a token",
        "revoke": "Revoke", "created": "Created", "revoked": "Revoked", "live": "live",
        "setupLinkFor": "Set-up link for", "tokenFor": "Token for",
        "setupLinkHelp": "Send this link to the person yourself. It is shown once, works once, and expires in 24 hours.",
        "tokenHelp": "Copy the token now: it is not shown again. Send it as Authorization: Bearer TOKEN.",
        "rolesHelp": "viewer reads everything; editor also writes entries; admin also manages people and tokens.",
        "adminsOnly": "Only admins manage people and tokens.",
        "readOnly": "This server has the ledger open for reading only, so nobody can sign in or write here. Use a server that may write to the ledger.",
        "settings": "My settings", "reminders": "Reminders by e-mail",
        "remindersIntro": "A weekly digest of what needs attention, and a notice when a commitment becomes overdue, sent to your address.",
        "noEmail": "none: ask an admin to add one", "sendMe": "Send me", "weeklyDigest": "the weekly digest (Mondays)",
        "overdueNotices": "a notice when a commitment becomes overdue", "mailLanguage": "Language of the mail", "save": "Save",
        "saved": "Saved.", "mailLog": "Mail sent to you", "subjectLine": "Subject", "when": "When",
        "mailSent": "sent", "mailWaiting": "waiting", "mailRetrying": "will retry",
        "calendar": "Calendar of due dates", "calendarIntro": "Every due date, internal ones included, in your calendar app: subscribe to your own secret address. Anyone with the address can read the calendar; make a new one if it leaks.",
        "calendarHelp": "Subscribe to this address in your calendar app. It is shown once; the previous one, if any, no longer works.",
        "calendarMake": "Make my calendar address", "calendarReset": "Make a new calendar address (the old one stops working)",
        "webhooks": "Webhooks", "webhooksIntro": "Every new entry is POSTed as JSON to each address below, signed with HMAC-SHA256 over the body (header X-Ledger-Signature: sha256=…), in order, retried with backoff until it is taken.",
        "publicOnly": "public entries only", "allEntries": "all entries, internal ones included", "deliveredUpTo": "delivered up to seq",
        "allowPrivate": "in-house receiver: allow an address on this machine or our private network",
        "removed": "removed", "outcome": "Outcome", "remove": "Remove", "addWebhook": "Add a webhook",
        "sheets": "Spreadsheets", "sheetsIntro": "The current state as a spreadsheet, and a spreadsheet back into the ledger: a row with a new id records the item, a different status records a status change, a changed field records a correction, an unchanged row writes nothing.",
        "download": "Download (everything, internal included)", "publicSheets": "As the public sees them", "upload": "Upload a sheet",
        "sheetKind": "The rows are", "sheetFile": "CSV file", "sheetFileHelp": "Saved from any spreadsheet as CSV (comma or semicolon), with a header row of column names, in English or Spanish.",
        "sheetReasonWhen": "needed when a row changes a field", "preview": "Preview", "sheetProblems": "The sheet was not read into the ledger. Fix these rows and upload it again:",
        "moreProblems": "Problems further down the sheet, not listed until these are fixed:",
        "row": "Row", "unchanged": "unchanged", "sheetNothing": "The ledger already says what the sheet says: nothing to write.",
        "recordEntries": "Record these entries", "cancel": "Cancel", "sheetWritten": "The sheet's entries are in the ledger.",
        "webhookSecretFor": "Signing secret for", "webhookSecretHelp": "Give it to the receiver now: it checks each body's signature with it. It is not shown again.",
    ]

    static let spanish: [String: String] = [
        "workspace": "Espacio del equipo", "skip": "Saltar al contenido", "nav": "Espacio del equipo",
        "home": "Lo que requiere atención", "demands": "Demandas", "commitments": "Compromisos", "actors": "Actores",
        "new": "Registrar algo", "signOut": "Cerrar sesión", "signedInAs": "Sesión de", "publicSite": "Sitio público",
        "signIn": "Iniciar sesión", "name": "Nombre", "password": "Contraseña", "signInIntro": "Aquí inicia sesión el equipo de incidencia de la coalición. Si aún no tiene contraseña, pida un enlace de configuración a una persona administradora.",
        "badSignIn": "Ese nombre y esa contraseña no corresponden a una cuenta activa.",
        "throttled": "Demasiados intentos fallidos. Espere 15 minutos y vuelva a intentarlo.",
        "setupTitle": "Elija su contraseña", "setupIntro": "Elija una contraseña de al menos 12 caracteres. Iniciará sesión con su nombre y esta contraseña.",
        "newPassword": "Contraseña nueva", "repeatPassword": "La misma contraseña otra vez", "savePassword": "Guardar e iniciar sesión",
        "setupExpired": "Este enlace de configuración no es válido: ya se usó, venció (duran 24 horas) o fue reemplazado. Pida uno nuevo a una persona administradora.",
        "overdue": "Compromisos vencidos", "dueSoon": "Vencen en los próximos 30 días", "claimedOnly": "Declarados, no verificados, desde hace más de 30 días",
        "noResponse": "Demandas sin respuesta", "latest": "Últimas entradas del equipo", "nothingHere": "Nada por aquí.",
        "logFollowup": "Registrar un seguimiento", "changeStatus": "Cambiar el estado", "recordCommitment": "Registrar un compromiso",
        "verifyIt": "Registrar un estado verificado", "correct": "Corregir", "retract": "Retractar",
        "daysOverdue": "vencido hace", "dueOn": "plazo", "claimedOn": "declarado el", "since": "desde",
        "search": "Buscar", "searchHelp": "Palabras de títulos, resúmenes y notas, en español o en inglés",
        "filter": "Filtrar", "clear": "Quitar filtros", "any": "Cualquiera", "status": "Estado", "basis": "Base", "actor": "Actor",
        "country": "País", "kind": "Tipo", "overdueOnly": "Solo vencidos", "visibility": "Visibilidad",
        "public": "Pública", "internal": "Interna", "results": "mostrados", "id": "Id", "due": "Plazo",
        "publicHelp": "en la página de estado, las novedades y los informes, para todo el mundo.", "internalHelp": "solo la ve el equipo.",
        "visibilityLegend": "¿Quién puede ver esta entrada?",
        "newActor": "Registrar un actor", "newDemand": "Registrar una demanda", "newCommitment": "Registrar un compromiso",
        "newStatus": "Cambiar el estado de un compromiso", "newFollowup": "Registrar un seguimiento", "newCorrection": "Corregir una entrada",
        "newRetraction": "Retractar una entrada",
        "subjectNew": "Id (minúsculas, dígitos y guiones, p. ej. cndh-rec-juarez; nunca se reutiliza)",
        "subjectCommitment": "Compromiso", "subjectAbout": "Demanda o compromiso", "effective": "Fecha en que ocurrió",
        "targetSeq": "Entrada a enmendar", "chooseEntry": "Elija la entrada", "choose": "Elegir", "reason": "Motivo",
        "sourcesHelp": "Un enlace por línea (http o https)", "optional": "opcional", "required": "obligatorio",
        "english": "Inglés", "spanish": "Español",
        "review": "Revisar antes de registrar", "reviewIntro": "El registro nunca olvida: revise la entrada exactamente como se escribirá. Registrarla no se puede deshacer; un error se arregla después con una corrección, que queda a la vista.",
        "record": "Registrarla", "edit": "Modificarla", "author": "Autoría", "type": "Entrada", "subject": "Asunto",
        "before": "Antes", "after": "Después", "changes": "Qué cambia",
        "errorsTitle": "La entrada no se registró. Corrija lo señalado:", "fixBelow": "vea el campo",
        "written": "Registrada", "writtenIntro": "La entrada está en el registro.", "seq": "Número", "recordedAt": "Registrada el",
        "receipt": "Su recibo (una prueba firmada que cualquiera puede comprobar)", "noReceipt": "Las entradas internas no tienen recibo público.",
        "receiptLater": "El recibo estará disponible cuando el servidor firme un punto de control que la incluya.",
        "logAnother": "Registrar otra cosa", "forbidden": "Su rol le permite leer, no escribir. Pida a una persona administradora si necesita registrar entradas.",
        "notFound": "No encontrado", "notFoundText": "No hay nada en esta dirección del espacio del equipo.",
        "expired": "Su sesión terminó. Inicie sesión de nuevo.", "csrf": "El formulario había caducado o venía de otro sitio; no se registró nada. Inténtelo de nuevo.",
        "none": "ninguno", "retracted": "retractada", "corrected": "corregida", "entries": "Entradas",
        "phoneHint": "", "footer": "Todo lo que se registra aquí queda en el registro encadenado por hashes, al que solo se añaden entradas.",
        "people": "Personas y tokens", "team": "El equipo", "role": "Rol", "email": "Correo", "state": "Estado",
        "stateActive": "activa", "stateWaiting": "pendiente de configurar", "stateDisabled": "desactivada",
        "addPerson": "Añadir una persona", "add": "Añadir", "disable": "Desactivar", "reset": "Nuevo enlace de configuración",
        "tokens": "Tokens de la API", "tokenName": "Quién o qué lo usa (será la autoría de lo que escriba)", "createToken": "Crear un token",
        "revoke": "Revocar", "created": "Creado", "revoked": "Revocado", "live": "vigente",
        "setupLinkFor": "Enlace de configuración para", "tokenFor": "Token para",
        "setupLinkHelp": "Envíe usted este enlace a la persona. Se muestra una vez, funciona una vez y vence en 24 horas.",
        "tokenHelp": "Copie el token ahora: no se vuelve a mostrar. Envíelo como Authorization: Bearer TOKEN.",
        "rolesHelp": "viewer lee todo; editor además escribe entradas; admin además gestiona personas y tokens.",
        "adminsOnly": "Solo las personas administradoras gestionan personas y tokens.",
        "readOnly": "Este servidor tiene el registro abierto solo para lectura: aquí nadie puede iniciar sesión ni escribir. Use un servidor que pueda escribir en el registro.",
        "settings": "Mis ajustes", "reminders": "Recordatorios por correo",
        "remindersIntro": "Un resumen semanal de lo que requiere atención, y un aviso cuando un compromiso vence, enviados a su dirección.",
        "noEmail": "ninguno: pida a una persona administradora que lo añada", "sendMe": "Enviarme", "weeklyDigest": "el resumen semanal (los lunes)",
        "overdueNotices": "un aviso cuando un compromiso vence", "mailLanguage": "Idioma del correo", "save": "Guardar",
        "saved": "Guardado.", "mailLog": "Correo que se le envió", "subjectLine": "Asunto", "when": "Cuándo",
        "mailSent": "enviado", "mailWaiting": "en espera", "mailRetrying": "se reintentará",
        "calendar": "Calendario de plazos", "calendarIntro": "Todos los plazos, también los internos, en su aplicación de calendario: suscríbase a su dirección secreta. Cualquiera con la dirección puede leer el calendario; cree una nueva si se filtra.",
        "calendarHelp": "Suscríbase a esta dirección en su aplicación de calendario. Se muestra una vez; la anterior, si la había, deja de funcionar.",
        "calendarMake": "Crear mi dirección de calendario", "calendarReset": "Crear una nueva dirección de calendario (la anterior deja de funcionar)",
        "webhooks": "Webhooks", "webhooksIntro": "Cada entrada nueva se envía por POST como JSON a cada dirección de abajo, firmada con HMAC-SHA256 sobre el cuerpo (cabecera X-Ledger-Signature: sha256=…), en orden, y se reintenta con espera creciente hasta que se recibe.",
        "publicOnly": "solo entradas públicas", "allEntries": "todas las entradas, también las internas", "deliveredUpTo": "entregado hasta el número",
        "allowPrivate": "receptor interno: permitir una dirección en esta máquina o en nuestra red privada",
        "removed": "eliminado", "outcome": "Resultado", "remove": "Eliminar", "addWebhook": "Añadir un webhook",
        "sheets": "Hojas de cálculo", "sheetsIntro": "El estado actual como hoja de cálculo, y una hoja de vuelta al registro: una fila con un id nuevo registra el elemento, un estado distinto registra un cambio de estado, un campo cambiado registra una corrección, una fila sin cambios no escribe nada.",
        "download": "Descargar (todo, también lo interno)", "publicSheets": "Como las ve el público", "upload": "Subir una hoja",
        "sheetKind": "Las filas son", "sheetFile": "Archivo CSV", "sheetFileHelp": "Guardado desde cualquier hoja de cálculo como CSV (coma o punto y coma), con una fila de encabezados con los nombres de las columnas, en español o en inglés.",
        "sheetReasonWhen": "necesario si una fila cambia un campo", "preview": "Vista previa", "sheetProblems": "La hoja no se llevó al registro. Corrija estas filas y vuelva a subirla:",
        "moreProblems": "Problemas más abajo en la hoja, que no se listan hasta corregir estos:",
        "row": "Fila", "unchanged": "sin cambios", "sheetNothing": "El registro ya dice lo que dice la hoja: no hay nada que escribir.",
        "recordEntries": "Registrar estas entradas", "cancel": "Cancelar", "sheetWritten": "Las entradas de la hoja están en el registro.",
        "webhookSecretFor": "Secreto de firma para", "webhookSecretHelp": "Déselo ahora al receptor: con él comprueba la firma de cada cuerpo. No se vuelve a mostrar.",
    ]

    /// The core's form problems in the page's language, by their code; an error without one
    /// (rare ones naming ids and seqs) is shown as the core wrote it.
    static func message(_ error: LedgerError, _ language: ReportLanguage) -> String {
        guard language == .es, let code = error.code else { return error.message }
        switch code {
        case .required: return "es obligatorio"
        case .empty: return "está vacío"
        case .needsAnItem: return "necesita al menos un elemento"
        case .mustBeText: return "debe ser texto"
        case .chooseVisibility: return "elija pública o interna"
        case .mustBeVisibility: return "debe ser pública o interna"
        case .chooseOne: return "elija uno"
        case .chooseEntry: return "elija la entrada a enmendar"
        case .nothingChanged: return "cambie al menos un campo; nada difiere de la entrada tal como está"
        case .notADate(let value): return "\(value) no es una fecha real (AAAA-MM-DD)"
        case .notACountryCode(let value): return "\(value) no es un código de país de dos letras como MX o US"
        case .notAnID(let value): return "\(value) debe tener solo minúsculas, dígitos y guiones (como stop-arms-flow)"
        case .inTheFuture(let value): return "\(value) está en el futuro; registre los hechos cuando hayan ocurrido"
        case .listedTwice(let value): return "\(value) está dos veces"
        case .notAURL(let value): return "\(value) no es un enlace http(s)"
        // The English names what clashes and the limit; kept beside the Spanish.
        case .idTaken: return "ese id ya está en uso; los ids nunca se reutilizan (" + error.message + ")"
        case .tooLong: return "es demasiado largo (" + error.message + ")"
        }
    }
}
