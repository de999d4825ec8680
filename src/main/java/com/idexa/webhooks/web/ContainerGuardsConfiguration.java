package com.idexa.webhooks.web;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.json.JsonMapper;

/**
 * What stands in front of everything the servlet container serves: the request parameter check and problem documents
 * for the requests Tomcat refuses itself. Component scanning puts it in the application's context; as a
 * management context configuration it is also imported into the actuator's own context when the actuator has a
 * port of its own ({@code management.server.port}, as the image runs it), whose Tomcat the application's filters
 * and customizers do not reach.
 */
@ManagementContextConfiguration(proxyBeanMethods = false)
class ContainerGuardsConfiguration {

    @Bean
    TomcatProblemReports tomcatProblemReports() {
        return new TomcatProblemReports();
    }

    @Bean
    AbandonedBodies abandonedBodies() {
        return new AbandonedBodies();
    }

    @Bean
    FilterRegistrationBean<RequestParametersFilter> requestParametersFilter(JsonMapper json) {
        return RequestParametersFilter.registration(json);
    }
}
