import Ledger

/// The words of the public pages, from the catalog (`Words`, section `site`); the
/// report's labels cover the rest.
struct SiteLabels {
    let statusTitle, intro, ledgerHead, demandsCount, commitmentsCount, overdueCount, latestChanges, nothingYet: String
    let since, monthlyReports, demand, commitment, madeBy, madeOf, committedBy, dueDate, answers: String
    let claimedVersusVerified, claimedVersusVerifiedHelp, basis, date, notRated, ratingHistory, backToStatus: String
    let atomFeed, jsonFeed, skipToContent, navigation, footer, feedTitle, notFound, notFoundMessage, badRequest, busy, busyMessage: String
    let verifyTitle, verifyIntro, verifyKey, verifyCommand, verifyCheckpoint: String
    let search, searchHelp, filter, clear, any, actor, country, shownOf: String
    let downloads, sheetDemands, sheetCommitments, sheetActors, calendarLink: String

    init(_ language: ReportLanguage) {
        statusTitle = language.text("site.statusTitle")
        intro = language.text("site.intro")
        ledgerHead = language.text("site.ledgerHead")
        demandsCount = language.text("site.demandsCount")
        commitmentsCount = language.text("site.commitmentsCount")
        overdueCount = language.text("site.overdueCount")
        latestChanges = language.text("site.latestChanges")
        nothingYet = language.text("site.nothingYet")
        since = language.text("site.since")
        monthlyReports = language.text("site.monthlyReports")
        demand = language.text("site.demand")
        commitment = language.text("site.commitment")
        madeBy = language.text("site.madeBy")
        madeOf = language.text("site.madeOf")
        committedBy = language.text("site.committedBy")
        dueDate = language.text("site.dueDate")
        answers = language.text("site.answers")
        claimedVersusVerified = language.text("site.claimedVersusVerified")
        claimedVersusVerifiedHelp = language.text("site.claimedVersusVerifiedHelp")
        basis = language.text("site.basis")
        date = language.text("site.date")
        notRated = language.text("site.notRated")
        ratingHistory = language.text("site.ratingHistory")
        backToStatus = language.text("site.backToStatus")
        atomFeed = language.text("site.atomFeed")
        jsonFeed = language.text("site.jsonFeed")
        skipToContent = language.text("site.skipToContent")
        navigation = language.text("site.navigation")
        footer = language.text("site.footer")
        feedTitle = language.text("site.feedTitle")
        notFound = language.text("site.notFound")
        notFoundMessage = language.text("site.notFoundMessage")
        badRequest = language.text("site.badRequest")
        busy = language.text("site.busy")
        busyMessage = language.text("site.busyMessage")
        verifyTitle = language.text("site.verifyTitle")
        verifyIntro = language.text("site.verifyIntro")
        verifyKey = language.text("site.verifyKey")
        verifyCommand = language.text("site.verifyCommand")
        verifyCheckpoint = language.text("site.verifyCheckpoint")
        search = language.text("site.search")
        searchHelp = language.text("site.searchHelp")
        filter = language.text("site.filter")
        clear = language.text("site.clear")
        any = language.text("site.any")
        actor = language.text("site.actor")
        country = language.text("site.country")
        shownOf = language.text("site.shownOf")
        downloads = language.text("site.downloads")
        sheetDemands = language.text("site.sheetDemands")
        sheetCommitments = language.text("site.sheetCommitments")
        sheetActors = language.text("site.sheetActors")
        calendarLink = language.text("site.calendarLink")
    }
}
